"""What a server worker does once, after Django is set up and before its first request.

``config.asgi`` (``make serve``) and ``config.wsgi`` both call ``prepare_worker()``."""

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def prepare_worker() -> None:
    """Load what Django otherwise loads on a worker's first request, then set every object that
    start-up made aside from the garbage collector.

    - Every app's URLs and views (the API with its schemas) and each language's translations: the
      first visitor after a restart is not the one who waits for them (about 2 s on the project's
      machine: #35 saw it as the slowest answers of the first page measured).
    - ``gc.freeze()``: the modules, URL patterns, schemas and translations (about 270,000 objects)
      live as long as the worker, yet each full collection walked them all: on the #35 district a
      full collection took 265 ms, paid by whichever request happened to be running, and it was the
      p99 of the signed-in pages. Frozen, a full collection takes about 15 ms
      (bench/README.md, "Pauses of the garbage collector").
    """
    get_resolver().url_patterns  # noqa: B018 - imports every urls.py and view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Task board")
    gc.collect()  # what start-up left as garbage goes now, not frozen with the rest
    gc.freeze()

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared base every app builds on: errors, filtering, histories, exports, live pushes, the
    public cache, error pages. It imports no app of the project."""

    name = "core"
    verbose_name = "core"

    def ready(self):
        from core import pagecache  # noqa: F401, PLC0415 - watches every connection's writes (core/pagecache.py)

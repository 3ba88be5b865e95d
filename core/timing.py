"""Where a request's time goes, in a ``Server-Timing`` header (issue #35), off unless asked.

With ``SERVER_TIMING=1`` (settings or environment) every answer carries::

    Server-Timing: db;dur=3.10;desc="7 queries", tpl;dur=2.40, cache;dur=0.31;desc="2 calls", app;dur=6.92

- ``db``: time inside the database driver, every SQL statement of every connection, and how many;
- ``tpl``: time drawing templates (the outermost ``Template.render`` of each drawing, an include is
  part of its page), *less* the time in the database of the queries a template's lazy lists ran,
  which is in ``db``; the ORM's Python for those lists (building the SQL, making the rows into
  objects) stays in ``tpl``, so a page that hands its template a queryset shows it there;
- ``cache``: time in Redis round trips (Django's cache and sessions, the page and public caches);
- ``app``: the whole request inside Django, from the first middleware to the answer.

So ``app - db - tpl - cache`` is the Python of views, forms and middleware. A browser's developer
tools show the header beside each request; ``bench/page_costs.py`` reads it.

Off (the default), ``ServerTimingMiddleware`` raises ``MiddlewareNotUsed``: Django drops it from
the chain at start-up and nothing is patched, so it costs nothing. On, it wraps
``django.template.base.Template.render`` and redis-py's ``Redis.execute_command`` and
``Pipeline.execute`` once per process; each wrapper checks one thread-local and does nothing
outside a timed request (a job, a management command).
"""

import threading
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

_local = threading.local()
_patch_lock = threading.Lock()
_patched = False


class _Timings:
    __slots__ = ("db", "queries", "tpl", "tpl_depth", "tpl_db", "cache", "cache_calls", "cache_depth")

    def __init__(self):
        self.db = self.tpl = self.tpl_db = self.cache = 0.0
        self.queries = self.tpl_depth = self.cache_calls = self.cache_depth = 0

    def header(self, app: float) -> str:
        tpl = max(self.tpl - self.tpl_db, 0.0)
        return (
            f'db;dur={self.db * 1000:.2f};desc="{self.queries} queries", tpl;dur={tpl * 1000:.2f}, '
            f'cache;dur={self.cache * 1000:.2f};desc="{self.cache_calls} calls", app;dur={app * 1000:.2f}'
        )


def _timed_sql(execute, sql, params, many, context):
    timings = getattr(_local, "timings", None)
    if timings is None:
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        spent = time.perf_counter() - started
        timings.db += spent
        timings.queries += 1
        if timings.tpl_depth:
            timings.tpl_db += spent


def _timed_template(render):
    def timed_render(self, context):
        timings = getattr(_local, "timings", None)
        if timings is None or timings.tpl_depth:  # not timed, or an include inside a timed drawing
            return render(self, context)
        timings.tpl_depth += 1
        started = time.perf_counter()
        try:
            return render(self, context)
        finally:
            timings.tpl += time.perf_counter() - started
            timings.tpl_depth -= 1

    timed_render.__wrapped__ = render
    return timed_render


def _timed_cache(call):
    def timed_call(self, *args, **kwargs):
        timings = getattr(_local, "timings", None)
        if timings is None or timings.cache_depth:
            return call(self, *args, **kwargs)
        timings.cache_depth += 1
        started = time.perf_counter()
        try:
            return call(self, *args, **kwargs)
        finally:
            timings.cache += time.perf_counter() - started
            timings.cache_calls += 1
            timings.cache_depth -= 1

    timed_call.__wrapped__ = call
    return timed_call


def _patch() -> None:
    global _patched
    with _patch_lock:
        if _patched:
            return
        from django.template.base import Template  # noqa: PLC0415 - patched only when asked for

        Template.render = _timed_template(Template.render)
        try:
            import redis.client  # noqa: PLC0415 - redis-py is there only with REDIS_URL's extras
        except ImportError:
            pass
        else:
            redis.client.Redis.execute_command = _timed_cache(redis.client.Redis.execute_command)
            redis.client.Pipeline.execute = _timed_cache(redis.client.Pipeline.execute)
        _patched = True


class ServerTimingMiddleware:
    """First in ``MIDDLEWARE``, so ``app`` covers every other middleware too."""

    def __init__(self, get_response):
        if not getattr(settings, "SERVER_TIMING", False):
            raise MiddlewareNotUsed
        _patch()
        self.get_response = get_response

    def __call__(self, request):
        outer = getattr(_local, "timings", None)
        timings = _local.timings = _Timings()
        started = time.perf_counter()
        for alias in connections:
            # Installed once per connection object and left there (it does nothing outside a timed
            # request). Not execute_wrapper()'s append-then-pop: a connection opened during the
            # request appends core/pagecache.py's watcher after it, the pop took the watcher, and
            # ours piled up one per request, multiplying every db figure of a server.
            wrappers = connections[alias].execute_wrappers
            if _timed_sql not in wrappers:
                wrappers.insert(0, _timed_sql)
        try:
            response = self.get_response(request)
        finally:
            _local.timings = outer
        response["Server-Timing"] = timings.header(time.perf_counter() - started)
        return response

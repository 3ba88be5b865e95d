"""Ordinary HTTP requests through Django's WSGI handler, on a pool of threads, inside the ASGI server.

``make serve`` runs one ASGI server (uvicorn): websockets need it. But Django's *ASGI* handler
costs about four times what its WSGI handler costs before any view runs (issue #18 measured
``/healthz`` at 673 req/s under uvicorn and 2,586 req/s under gunicorn's sync workers): it makes a
thread and an executor per request and hops between the event loop and that thread for every
middleware. ``WsgiBridge`` gives each HTTP request one hop instead: the body is read on the event
loop (``core.bodylimit.BodyLimit`` in front has bounded it), the whole WSGI call (middleware,
view, template) runs on one thread of a fixed pool, and the finished answer goes back to the loop
in one piece. Streaming answers (exports, files) are sent chunk by chunk as the thread makes them.

Inside a bridge thread ``async_to_sync`` (a live push after a commit, ``core/realtime.py``) runs
on the server's own event loop, as it would under Django's ASGI handler, so the channel layer's
connections are the loop's and are reused instead of opened per push.

When the caller is itself synchronous code waiting on this coroutine (the test suite's
communicators), the request runs on that calling thread instead, as Django's ASGI handler would
do, so it shares that thread's database connection and transaction.
"""

import asyncio
import io
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import AsyncToSync, SyncToAsync, sync_to_async
from django.conf import settings


def build_environ(scope: dict, body: bytes) -> dict:
    """The WSGI environ of an ASGI HTTP scope (PEP 3333: text as latin-1 "bytes as str")."""
    server = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 0),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope.get("headers", []):
        name = _header_name(raw_name)
        if name is None:
            continue
        key = name if name in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        if key in environ:
            value = f"{environ[key]}; {value}" if key == "HTTP_COOKIE" else f"{environ[key]},{value}"
        environ[key] = value
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))  # a chunked body, read whole: Django reads CONTENT_LENGTH bytes
    return environ


def _header_name(raw_name: bytes) -> str | None:
    """A header's WSGI name (``Accept-Language`` → ``ACCEPT_LANGUAGE``), or None for a name with an
    underscore: gunicorn and nginx drop those, since ``X_Forwarded_For`` would otherwise read as
    ``X-Forwarded-For`` and pass for what the proxy set (issue #36.8)."""
    if b"_" in raw_name:
        return None
    return raw_name.decode("latin-1").upper().replace("-", "_")
class _SpooledBody(tempfile.SpooledTemporaryFile):
    length = 0


async def read_body(receive):
    """The request body, in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` and on disk past it, so
    concurrent uploads do not grow the process (issue #27); None if the client went away."""
    body = _SpooledBody(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            return None
        chunk = message.get("body", b"")
        if chunk:
            body.write(chunk)
            body.length += len(chunk)
        if not message.get("more_body", False):
            break
    body.seek(0)
    return body


# --- Fast 503 while the database is away (issue #27) ---------------------------------------------
# Paths that never need the database: answered as usual even while it is away.
_WITHOUT_DATABASE = frozenset({"/healthz", "/readyz"})


def _database_away() -> bool:
    backend = sys.modules.get("core.postgres.base")  # loaded only when the database is PostgreSQL
    return backend is not None and backend.database_known_away()


def database_away_answer(scope) -> tuple[int, list, bytes]:
    """The site's usual 503 (core/handlers.py: JSON under /api/, a page in the visitor's language
    elsewhere, ``Retry-After``), made on the event loop without a thread or a connection."""
    from django.core.handlers.wsgi import WSGIRequest  # noqa: PLC0415 - Django is set up by now

    from core.handlers import unavailable_response  # noqa: PLC0415

    response = unavailable_response(WSGIRequest(build_environ(scope, b"")))
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
    return response.status_code, headers, response.content


def run_async_to_sync_on(loop) -> None:
    """Make ``async_to_sync`` in this thread run its coroutine on ``loop`` (the server's), as it
    does in a thread that ``sync_to_async`` started. asgiref offers no public way to say so: this
    sets the two attributes its ``SyncToAsync`` sets (``threadlocal.main_event_loop`` and
    ``main_event_loop_pid``) and ``AsyncToSync`` reads; tests/test_library_internals.py fails,
    naming asgiref's version, if they stop doing so (docs/internals.md)."""
    SyncToAsync.threadlocal.main_event_loop = loop
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


class WsgiBridge:
    """An ASGI application for ``http`` scopes that answers them with a WSGI application."""

    def __init__(self, app, threads: int):
        self.app = app
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._probing = False
        self._pid = None

    def _refuse_while_database_away(self, scope) -> bool:
        """While a pool of this process has found the database away, every request that may need it
        is answered 503 at once, before it reads its body, takes a thread or waits on the pool,
        except one at a time (the probe): it goes through, so the pool tries the database again
        and the first success ends the refusals. On the event loop only: no lock needed."""
        if scope.get("path") in _WITHOUT_DATABASE or not _database_away():
            return False
        if self._probing:
            return True
        self._probing = scope["cm_probe"] = True
        return False

    def _probe_done(self, scope) -> None:
        if scope.get("cm_probe"):
            self._probing = False

    def _pool(self) -> ThreadPoolExecutor:
        # Made in the serving process (uvicorn imports the app before it forks its workers).
        if self._executor is None or self._pid != os.getpid():
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="http")
            self._pid = os.getpid()
        return self._executor

    async def __call__(self, scope, receive, send):
        if self._refuse_while_database_away(scope):
            status, headers, content = database_away_answer(scope)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        body = None
        try:
            body = await read_body(receive)
            if body is None:
                return  # gone (or cut off by BodyLimit): nobody to answer
            environ = build_environ(scope, b"")
            environ["wsgi.input"] = body
            if body.length and "CONTENT_LENGTH" not in environ:
                environ["CONTENT_LENGTH"] = str(body.length)  # a chunked body, read whole: Django reads CONTENT_LENGTH bytes
            loop = asyncio.get_running_loop()
            if getattr(AsyncToSync.executors, "current", None) is not None:
                answer = await sync_to_async(self._call, thread_sensitive=True)(environ, loop, send)
            else:
                answer = await loop.run_in_executor(self._pool(), self._call, environ, loop, send)
        finally:
            self._probe_done(scope)
            if body is not None:
                body.close()  # a body spooled to disk is removed
        if answer is not None:
            status, headers, content = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})

    def _call(self, environ: dict, loop, send):
        """On a pool thread: run the WSGI application. A complete answer is returned to the loop
        in one piece; a streaming one is sent from here as it is made (and None returned)."""
        run_async_to_sync_on(loop)
        started = {}

        def start_response(status, response_headers, exc_info=None):
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in response_headers]
            return lambda chunk: None  # the legacy write() callable: Django never uses it

        iterable = self.app(environ, start_response)
        try:
            if not getattr(iterable, "streaming", False):
                return started["status"], started["headers"], b"".join(iterable)

            def push(message):
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            push({"type": "http.response.start", "status": started["status"], "headers": started["headers"]})
            for chunk in iterable:
                if chunk:
                    push({"type": "http.response.body", "body": chunk, "more_body": True})
            push({"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()  # request_finished: the database connection goes back to its pool

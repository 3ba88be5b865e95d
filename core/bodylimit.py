"""Request bodies over ``MAX_REQUEST_BODY_BYTES`` are refused before they are stored (413 ``too_large``).

Django's ASGI handler reads (and spools to disk) the whole body before any view, middleware or
authentication runs, so an anonymous 30 MB POST to the login page was written out in full.
``BodyLimit`` sits in front of Django in ``config/asgi.py``:

- a ``Content-Length`` over the limit is answered at once, and no byte of the body is read;
- a body without one (chunked) is counted as it streams in; at the first byte over the limit
  Django is told the client went away (so it stops reading and answers nothing) and the 413 is
  sent instead.

``RequestBodyLimitMiddleware`` does the same check on ``Content-Length`` inside Django, for
WSGI servers and the test client. The answer is the contract's JSON under ``/api/`` and a page
elsewhere.
"""

import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

logger = logging.getLogger(__name__)


def _message() -> str:
    limit_mb = settings.MAX_REQUEST_BODY_BYTES / (1024 * 1024)
    return _("The request is too large. At most %(mb)s MB can be sent at once.") % {"mb": f"{limit_mb:g}"}


def _language(accept_language: str) -> str:
    for code, _q in parse_accept_lang_header(accept_language or ""):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def too_large_body(path: str, accept_language: str) -> tuple[str, bytes]:
    """(content type, body) of the 413 answer, in the visitor's language."""
    with translation.override(_language(accept_language)):
        if path.startswith("/api/"):
            body = json.dumps({"detail": _message(), "code": "too_large"}, ensure_ascii=False).encode()
            return "application/json", body
        html = render_to_string("error.html", {"status": 413, "message": _message()})
        return "text/html; charset=utf-8", html.encode()


def too_large_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _message(), "code": "too_large"}, status=413, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("error.html", {"status": 413, "message": _message()}, request=request), status=413)


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """ASGI wrapper: see the module docstring."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.MAX_REQUEST_BODY_BYTES
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            logger.info("Refused a %d-byte body to %s %s", declared, scope.get("method"), scope.get("path"))
            return await self._refuse(scope, send)

        received = 0
        over = False
        started = False

        async def counting_receive():
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django stops reading at a disconnect, throws away what it has and answers nothing.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def watching_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, watching_send)
        if over and not started:
            logger.info("Refused a streamed body over %d bytes to %s %s", limit, scope.get("method"), scope.get("path"))
            await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        headers = dict(scope.get("headers", []))
        content_type, body = await sync_to_async(too_large_body, thread_sensitive=False)(
            scope.get("path", ""), headers.get(b"accept-language", b"").decode("latin-1")
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RequestBodyLimitMiddleware:
    """The same limit inside Django (WSGI servers, the test client): first in MIDDLEWARE, so
    nothing has read the body yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BODY_BYTES:
            return too_large_response(request)
        return self.get_response(request)

"""Error pages for the whole site. Under /api/ they answer in the contract's JSON shape instead."""

import logging
import sys
import threading

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.storage import StorageUnavailable

# What a client should wait before retrying when the database is unreachable or overloaded. Short:
# a lock held too long or a failover is over in seconds, and the 503 tells no one to give up.
RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)
# The same for the upload bucket (core/s3.py): a reward picture or a voucher asked while it does not answer.
PASSING_ERRORS = (*DATABASE_ERRORS, StorageUnavailable)

logger = logging.getLogger(__name__)
_pool_check_running = threading.Lock()


def discard_dead_pooled_connections() -> None:
    """After a PostgreSQL restart or failover the connection pool still holds connections the
    server has killed, and each would fail one more request with a 503 once the database is back.
    At the first database error, have the pool test its idle connections and replace the dead ones
    (psycopg_pool's ``check()``). In a thread of its own, one at a time: a check against a host
    that does not answer must not hold up this response."""
    pools = [pool for pool in (getattr(conn, "pool", None) for conn in connections.all(initialized_only=True)) if pool]
    if not pools or not _pool_check_running.acquire(blocking=False):
        return

    def check():
        try:
            for pool in pools:
                pool.check()
        except Exception as exc:  # the database may still be away; the pool reconnects by itself
            logger.warning("Connection pool check failed: %s", exc)
        finally:
            _pool_check_running.release()

    threading.Thread(target=check, name="db-pool-check", daemon=True).start()


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _respond(request, status: int, code: str, message: str):
    if _wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _respond(request, 400, "bad_request", _("The request was malformed."))


def null_character(request):
    """A NUL in the query string: the same code and words the API's schema check gives a NUL in a body."""
    return _respond(request, 400, "null_character", _("Null characters are not allowed."))


def permission_denied(request, exception=None):
    return _respond(request, 403, "permission_denied", _("You are not allowed to do this."))


def page_not_found(request, exception=None):
    return _respond(request, 404, "not_found", _("This page does not exist."))


def service_unavailable(request):
    """503 with ``Retry-After``: the database is briefly unreachable (locked, restarting, refusing
    connections). The page is rendered without the request context, because the navigation bar and
    ``request.user`` would ask the database again; it is still in the visitor's language."""
    discard_dead_pooled_connections()
    return unavailable_response(request)


def unavailable_response(request):
    """The 503 itself, needing nothing but the request's path and language (core/wsgibridge.py
    sends it from the event loop while the database is known to be away)."""
    with translation.override(translation.get_language_from_request(request)):
        detail = _("The service is briefly unavailable. Please try again shortly.")
        if _wants_json(request):
            response = JsonResponse(
                {"detail": detail, "code": "service_unavailable"}, status=503, json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # Django calls this inside its ``except`` block, whether a view or a middleware (the session
    # saved on the way out, say) raised. A database (or upload bucket) that does not answer is a
    # passing condition the visitor may retry, so it gets a 503, not the "we broke something" page.
    if isinstance(sys.exc_info()[1], PASSING_ERRORS):
        return service_unavailable(request)
    # Rendered without the request context on purpose: whatever broke must not break this page too.
    if _wants_json(request):
        return JsonResponse({"detail": _("Something went wrong on our side. Please try again later."), "code": "server_error"}, status=500)
    # No request: the context processors would read the user, and with it the session (issue #27).
    return HttpResponse(render_to_string("500.html"), status=500)

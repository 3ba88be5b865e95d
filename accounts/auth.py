"""How the API knows who is calling: a bearer token from ``POST /auth/token`` or the browser's
session (with Django's CSRF check on unsafe methods). Every app's router uses ``AUTH``."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from accounts.services import token_authenticate
from core.errors import PermissionDenied


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /auth/token``."""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, with Django's CSRF check on unsafe methods.

    Unlike ninja's stock class it checks CSRF only once it knows there is a logged-in session, so a
    call with no credentials at all gets 401, not 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        if not key or not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise PermissionDenied(_("The CSRF check failed. Reload the page and try again."), code="csrf_failed")
        return request.user


bearer_auth = BearerTokenAuth()
session_auth = SessionAuth()
AUTH = [bearer_auth, session_auth]


def optional_user(request: HttpRequest):
    """The caller on an endpoint open to anyone: a bearer token or session counts if present.

    Kept on the request: the resolvers of a list call this once per row, and the token is looked
    up once per request, not once per row."""
    if not hasattr(request, "_optional_user"):
        request._optional_user = _optional_user(request)
    return request._optional_user


def _optional_user(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = token_authenticate(header[7:].strip())
        if user is not None:
            return user
    return request.user

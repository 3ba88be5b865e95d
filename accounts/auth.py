"""How the API knows who is calling: a bearer token from ``POST /auth/token`` or the browser's
session (with Django's CSRF check on unsafe methods). Every app's router uses ``AUTH``."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from accounts.models import ApiToken
from accounts.selectors import staff_communities
from accounts.services import hash_token, token_authenticate
from core import pubcache
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


def remember_plain_viewer(request: HttpRequest, user) -> None:
    """After answering a public list to a bearer token: if its holder sees no more than an anonymous
    visitor (active, no district admin, staff of no community), let the public cache in front
    serve that token the shared answer (core/pubcache.py). Only on answers Django makes, so the
    cost (one query, one Redis write) is not paid by the answers the cache serves."""
    if not pubcache.enabled() or user is None or not user.is_authenticated or user.is_superuser:
        return
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return
    token_hash = hash_token(header[7:].strip())
    if staff_communities(user).exists():
        return
    expires_at = ApiToken.objects.filter(key_hash=token_hash, user=user, revoked_at__isnull=True).values_list("expires_at", flat=True).first()
    if expires_at is not None:
        pubcache.mark_plain_viewer(token_hash, int((expires_at - timezone.now()).total_seconds()))

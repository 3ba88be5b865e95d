"""Websocket authentication: the session cookie (channels' AuthMiddleware) or ``?token=<api token>``."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from accounts.services import token_authenticate


@database_sync_to_async
def _user_for_token(raw: str):
    return token_authenticate(raw)


class TokenAuthMiddleware(BaseMiddleware):
    """If the query string carries ``token``, it decides who the user is (a bad token means nobody),
    otherwise the session does."""

    async def __call__(self, scope, receive, send):
        params = parse_qs(scope.get("query_string", b"").decode())
        if "token" in params:
            user = await _user_for_token(params["token"][0])
            scope = dict(scope, user=user or AnonymousUser())
        return await super().__call__(scope, receive, send)


def SessionOrTokenAuth(inner):  # noqa: N802 - named like channels' own middleware stacks
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))


class SameSiteOriginValidator:
    """Browsers always send ``Origin`` on a websocket handshake: it must be one of ALLOWED_HOSTS, so
    another site cannot open a socket with a visitor's cookies. Apps and scripts send no Origin
    and authenticate with ``?token=``, which no other site can know: they are let through."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        has_origin = any(name == b"origin" for name, _value in scope.get("headers", []))
        if not has_origin:
            return await self.application(scope, receive, send)
        # Built per connection so it reads ALLOWED_HOSTS as it is now (cheap: it copies a list).
        return await AllowedHostsOriginValidator(self.application)(scope, receive, send)

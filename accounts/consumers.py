"""``/ws/notifications/``: each new notification of the connected person, as it happens, and the
ones a socket missed (issue #27).

A live push is best effort: it is dropped while Redis is away, or while a socket is reconnecting.
The notification itself is stored in the change's transaction, so the page's script asks for
what it missed: on every (re)connection and every half minute it sends
``{"type": "catch_up", "since": <the last id it saw, or null>}`` and gets each notification of its
person with a larger id (as a ``notification`` message, oldest first, at most ``CATCH_UP_LIMIT``),
then ``{"type": "caught_up", "last_id": <the person's latest id>}``. With ``since: null`` (a page
just loaded, which shows the unread count already) only ``caught_up`` comes back.

A socket lives no longer than the credential that opened it (issue #36.3): when a token is revoked,
the password changes, the person logs out or the account is closed or changed, a
``credentials.check`` message goes to the person's group (``accounts.services.sockets_recheck``) and each of their
sockets checks its own token or session again, closing with 4401 if it no longer holds. A socket
also checks again before it delivers anything (a push or a catch-up) once ``RECHECK_SECONDS`` have
passed since the last check, so one kept open past its session's expiry hears nothing more.

Every notification reaches the socket as its code and parameters and is rendered here, in the
reader's language: the one the page that opened the socket is shown in (the language cookie, then
the browser's Accept-Language, then the site's default, as Django's LocaleMiddleware chooses for
the page), never the language of whoever caused it. The message goes out with ``code`` and
``params`` too, for a client that renders them itself.
"""

import time
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.utils import timezone, translation

from accounts import notices
from accounts.models import Notification
from accounts.services import token_authenticate
from core.consumers import GroupConsumer
from core.realtime import user_group

UNAUTHENTICATED = 4401
RECHECK_SECONDS = 300


def _session_user(session_key: str | None):
    """The person the session names now (AnonymousUser if it ended, expired, or the password changed)."""
    if not session_key:
        return None
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    return auth.get_user(SimpleNamespace(session=engine.SessionStore(session_key)))


CATCH_UP_LIMIT = 50


def _notice(note: Notification) -> dict:
    """A notification as ``notification_store`` pushes it."""
    return {
        "id": note.pk,
        "kind": note.kind,
        "code": note.code,
        "params": note.params,
        "message": note.message,
        "url": note.url,
        "created_at": timezone.localtime(note.created_at).isoformat(timespec="seconds"),
    }


def reader_language(scope) -> str:
    """The language the reader's page is in: chosen from the socket's handshake exactly as the
    LocaleMiddleware chose it for the page (cookie, Accept-Language, the default)."""
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    cookies = scope.get("cookies") or {}
    request = SimpleNamespace(COOKIES=cookies, META={"HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", "")}, path_info="/")
    return translation.get_language_from_request(request)


def rendered(notice: dict, language: str) -> dict:
    """The notice with its message in ``language`` (the stored sentence where the code is unknown)."""
    if not notice.get("code"):
        return notice
    with translation.override(language):
        return {**notice, "message": notices.render(notice["code"], notice.get("params"), notice.get("message", ""))}


@database_sync_to_async
def _missed(user_id: int, since: int | None) -> tuple[list[dict], int]:
    mine = Notification.objects.filter(user_id=user_id)
    latest = mine.order_by("-id").values_list("id", flat=True).first() or 0
    if since is None or since >= latest:
        return [], latest
    notes = mine.filter(id__gt=since).order_by("id")[:CATCH_UP_LIMIT]
    return [_notice(note) for note in notes], latest


class NotificationConsumer(GroupConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        params = parse_qs(self.scope.get("query_string", b"").decode())
        self.raw_token = params["token"][0] if "token" in params else None
        session = self.scope.get("session")
        self.session_key = None if self.raw_token else getattr(session, "session_key", None)
        self.checked_at = time.monotonic()
        self.language = reader_language(self.scope)
        await self.join(user_group(user.pk))

    @database_sync_to_async
    def _credential_holds(self) -> bool:
        if self.raw_token is not None:
            user = token_authenticate(self.raw_token)
        else:
            user = _session_user(self.session_key)
        return bool(user is not None and user.is_authenticated and user.pk == self.user_id and user.is_active)

    async def _still_allowed(self, *, now: bool = False) -> bool:
        if not now and time.monotonic() - self.checked_at < RECHECK_SECONDS:
            return True
        self.checked_at = time.monotonic()
        if await self._credential_holds():
            return True
        await self.close(code=UNAUTHENTICATED)
        return False

    async def credentials_check(self, event):
        if event.get("ended_session") and event["ended_session"] == self.session_key:
            await self.close(code=UNAUTHENTICATED)
            return
        await self._still_allowed(now=True)

    async def receive_json(self, content, **kwargs):
        if not await self._still_allowed():
            return
        if isinstance(content, dict) and content.get("type") == "catch_up":
            since = content.get("since")
            if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
                since = None  # not an id: treated as a page that just loaded
            missed, latest = await _missed(self.scope["user"].pk, since)
            for notice in missed:
                await self.send_json({"type": "notification", **rendered(notice, self.language)})
            await self.send_json({"type": "caught_up", "last_id": latest})
            return
        await super().receive_json(content, **kwargs)

    async def notification_new(self, event):
        """Only ever sent to this person's own group by accounts.services.notify."""
        if await self._still_allowed():
            await self.send_json({"type": "notification", **rendered(event["notification"], self.language)})

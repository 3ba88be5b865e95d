"""``/ws/notifications/``: each new notification of the connected person, as it happens, and the
ones a socket missed (issue #27).

A live push is best effort: it is dropped while Redis is away, or while a socket is reconnecting.
The notification itself is stored in the change's transaction, so the page's script asks for
what it missed: on every (re)connection and every half minute it sends
``{"type": "catch_up", "since": <the last id it saw, or null>}`` and gets each notification of its
person with a larger id (as a ``notification`` message, oldest first, at most ``CATCH_UP_LIMIT``),
then ``{"type": "caught_up", "last_id": <the person's latest id>}``. With ``since: null`` (a page
just loaded, which shows the unread count already) only ``caught_up`` comes back.
"""

from channels.db import database_sync_to_async
from django.utils import timezone

from accounts.models import Notification
from core.consumers import GroupConsumer
from core.realtime import user_group

UNAUTHENTICATED = 4401
CATCH_UP_LIMIT = 50


def _notice(note: Notification) -> dict:
    """A notification as ``notification_store`` pushes it."""
    return {
        "id": note.pk,
        "kind": note.kind,
        "message": note.message,
        "url": note.url,
        "created_at": timezone.localtime(note.created_at).isoformat(timespec="seconds"),
    }


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
        await self.join(user_group(user.pk))

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "catch_up":
            since = content.get("since")
            if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
                since = None  # not an id: treated as a page that just loaded
            missed, latest = await _missed(self.scope["user"].pk, since)
            for notice in missed:
                await self.send_json({"type": "notification", **notice})
            await self.send_json({"type": "caught_up", "last_id": latest})
            return
        await super().receive_json(content, **kwargs)

    async def notification_new(self, event):
        """Only ever sent to this person's own group by accounts.services.notify."""
        await self.send_json({"type": "notification", **event["notification"]})

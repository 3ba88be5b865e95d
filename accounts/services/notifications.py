"""Notifications (``notify``): stored in the caller's transaction and pushed live after the commit;
marking them read."""

from django.db import transaction
from django.utils import timezone

from accounts import notices
from accounts.models import (
    Notification,
    User,
)
from core.realtime import send_now, user_group

__all__ = ["notify", "notification_store", "notifications_mark_read"]


# --- Notifications ---------------------------------------------------------------------------------
def notify(*, user: User, kind: str, code: str = "", params: dict | None = None, url: str = "", message: str = "") -> None:
    """Tell a person something: the notification (and what hangs on it: reach's outbox email, on
    post_save) is written in the current transaction, so it exists exactly when the change does
    (never for a change rolled back, never lost after one committed, whatever an outside system
    does after the commit; issue #27). Only the live push waits for the commit. ``code`` names a
    sentence in ``accounts/notices.py`` and ``params`` fills it (labels to translate as
    ``notices.label(...)``): each reader sees it in their own language. The sentence in the active
    language is also kept in ``message``, for a code that later disappears."""
    params = params or {}
    message = str(message or notices.render(code, params, code))[:300]
    with transaction.atomic():
        notification_store(user=user, kind=kind, code=code, params=params, message=message, url=url)


def notification_store(*, user: User, kind: str, message: str, url: str = "", code: str = "", params: dict | None = None) -> Notification:
    """Store a notification inside the caller's transaction (so it is written together with, say,
    the record that it was sent) and push it live once that transaction commits."""
    message = str(message)[:300]
    note = Notification.objects.create(user=user, kind=kind, code=code, params=params or {}, message=message, url=url)

    def push():
        # Stored first, so a person who is offline (or a Redis that is down) loses nothing.
        send_now(
            user_group(user.pk),
            {
                "type": "notification.new",
                "notification": {
                    "id": note.pk,
                    "kind": kind,
                    "message": message,
                    "url": url,
                    "created_at": timezone.localtime(note.created_at).isoformat(timespec="seconds"),
                },
            },
        )

    transaction.on_commit(push)
    return note


def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the caller's notifications read (all of them, or the given ids); returns how many."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())

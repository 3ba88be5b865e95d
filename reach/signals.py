"""An email for each notification a person chooses to get by email, written in the notification's
own transaction (accounts.services.notify stores it in one) and sent by a worker after the commit."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Notification
from core.redisguard import Breaker, breaker
from reach.services import email_for_notification
from reach.tasks import send_email

# Its own breaker only for the log: once per interval, not a traceback per email.
queue_breaker = Breaker("The job queue")


@receiver(post_save, sender=Notification, dispatch_uid="reach.email_for_notification")
def _email_for_notification(sender, instance: Notification, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    email = email_for_notification(instance)
    if email is not None:
        transaction.on_commit(lambda: _queue_email(email.pk))


def _queue_email(email_id: int) -> None:
    """Queue the email's job, after the commit. The email row is stored already: if the queue cannot
    be reached (Redis down), it stays pending and the minute's sweep (``send_due_emails``) sends it.
    Never raises: an on-commit hook that raises makes Django skip every later hook of the commit
    (another claimant's notification, issue #27) and fails a change that was made."""
    # The queue on the site's Redis: while the breaker keeps it aside, not even tried (core/redisguard.py).
    shared = bool(settings.REDIS_URL) and settings.HUEY_REDIS_URL == settings.REDIS_URL
    guard = breaker if shared else queue_breaker
    if shared and not breaker.usable():
        return
    try:
        send_email(email_id)
    except Exception as exc:
        guard.failed(f"queue email {email_id}; the sweep will send it", exc)
    else:
        guard.succeeded()

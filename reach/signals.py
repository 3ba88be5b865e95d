"""An email for each notification a person chooses to get by email, written in the notification's
own transaction (accounts.services.notify stores it in one) and sent by a worker after the commit."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Notification
from reach.services import email_for_notification
from reach.tasks import send_email


@receiver(post_save, sender=Notification, dispatch_uid="reach.email_for_notification")
def _email_for_notification(sender, instance: Notification, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    email = email_for_notification(instance)
    if email is not None:
        transaction.on_commit(lambda: send_email(email.pk))

"""How a person is reached outside the site: their email choices and language, their secret
calendar feed, the reminders already sent, and the email outbox the workers send from."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class ReachSettings(models.Model):
    """One row per person, made on first use (``reach.services.settings_for``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reach", verbose_name=_("person"))
    email = models.BooleanField(_("notifications by email"), default=True)
    digest = models.BooleanField(_("one daily digest instead of an email each"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    # The secret of the person's calendar feed URL; renewing it kills the old URL.
    calendar_token = models.CharField(_("calendar feed secret"), max_length=64, unique=True, default=new_calendar_token)
    # Notifications up to this moment went into a digest already.
    digest_sent_until = models.DateTimeField(_("digest sent until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class Reminder(models.Model):
    """A reminder sent for one claim and one lead time: written in the same transaction as the
    notification, and unique, so it is sent once whatever the restarts and retries."""

    claim = models.ForeignKey("orders.Claim", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("claim"))
    lead_minutes = models.PositiveIntegerField(_("minutes before the start"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["claim", "lead_minutes"], name="reminder_once_per_claim_and_lead")]


class OutboundEmail(models.Model):
    """An email to send, written with what caused it; the workers send it, retry it with back-off
    and give it up after ``EMAIL_MAX_ATTEMPTS`` tries. A request never waits for SMTP."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=400, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next try at"))
    # A worker holds the message while it talks to the SMTP server; a killed worker's hold expires.
    locked_until = models.DateTimeField(_("held until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.to}: {self.subject}"

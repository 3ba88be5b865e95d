"""Notifications: what happened to a person, stored as a code and its parameters."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import notices


class Notification(models.Model):
    """Something that happened to a person (claim verified, task cancelled, …). Stored for everyone,
    so a person who was offline sees it next time; pushed live when they are online."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=40)
    # What to say, as a code and its parameters (accounts/notices.py), so each reader gets it in
    # their language. ``message`` keeps the sentence as written (in the writer's language): shown
    # for rows from before codes existed, and for any code the registry no longer knows.
    message = models.CharField(_("message"), max_length=300)
    code = models.CharField(_("message code"), max_length=40, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language."""
        return notices.render(self.code, self.params, self.message) if self.code else self.message

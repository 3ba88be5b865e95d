"""The shape every status history shares: who moved the object, why, and when. Never edited."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    """Concrete histories add the object's foreign key and ``from_status`` / ``to_status`` with the
    object's own choices."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]  # the order things happened in

    def __str__(self):
        return status_change_str(self)


def status_change_str(change) -> str:
    """'Open → Full · 2026-05-01 09:30' for any status history row (admin lists, logs)."""
    before = change.get_from_status_display() if change.from_status else "—"
    when = f" · {timezone.localtime(change.created_at):%Y-%m-%d %H:%M}" if change.created_at else ""
    return f"{before} → {change.get_to_status_display()}{when}"

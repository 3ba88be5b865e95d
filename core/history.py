"""The shape every status history shares: who moved the object, why, and when. Never edited."""

from django.conf import settings
from django.db import models
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

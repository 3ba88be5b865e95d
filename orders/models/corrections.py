"""A volunteer's request to correct the hours recorded for a claim, and staff's decision."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models.claims import Claim


class ClaimCorrection(models.Model):
    """A volunteer's request to correct the hours recorded for a verified claim, and staff's
    decision. Kept for good: the claim's history also records the request and the decision."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("correction status", "Pending")
        APPROVED = "approved", pgettext_lazy("correction status", "Approved")
        REFUSED = "refused", pgettext_lazy("correction status", "Refused")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("claim"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    hours_before = models.DecimalField(_("hours recorded before"), max_digits=6, decimal_places=2)
    hours = models.DecimalField(_("hours asked for"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reply = models.CharField(_("reply"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            # One pending correction per claim, even from two requests at once.
            models.UniqueConstraint(fields=["claim"], condition=Q(status="pending"), name="correction_one_pending_per_claim"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="correction_hours_positive"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.claim_id}: {self.hours_before} → {self.hours}"

"""Claims of a task's slots: how a service was confirmed, the claim, the waiting list, the claim's history."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from core.history import StatusChange
from marketplace.models import Task


class ConfirmationMethod(models.TextChoices):
    """How the person served confirmed a service (or a review was entered for them)."""

    CODE = "code", _("Service card code, typed by the volunteer")
    SELF = "self", _("By the person served")
    GUARDIAN = "guardian", _("By their guardian")
    STAFF = "staff", _("By staff on their behalf")


# A claim whose claimed hours are further than both of these from the measured ones is flagged in
# the verification queue (1.50 h claimed against 0.10 h measured is; 2.00 against 1.75 is not).
HOURS_GAP_MINIMUM = Decimal("0.50")


HOURS_GAP_SHARE = Decimal("0.5")


class ConfirmationAnswer(models.TextChoices):
    """What the person served answered: the service happened, or it did not (a dispute for staff)."""

    DONE = "done", _("The service happened")
    NOT_DONE = "not_done", _("The service did not happen")


class Claim(models.Model):
    """One slot of a task taken by one person (for themselves or on behalf of an organisation)."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        CHECKED_IN = "checked_in", _("Checked in")
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", pgettext_lazy("claim status", "Verified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NO_SHOW = "no_show", _("No-show")

    # A claim in one of these holds a slot of its task.
    LIVE = ("claimed", "checked_in", "submitted", "verified")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="claims", verbose_name=_("task"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims", verbose_name=_("volunteer"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="claims", verbose_name=_("on behalf of")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CLAIMED)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    credited_hours = models.DecimalField(
        _("credited hours"), max_digits=6, decimal_places=2, default=Decimal("0"), help_text=_("From the check-in and check-out times.")
    )
    submitted_hours = models.DecimalField(_("hours submitted"), max_digits=6, decimal_places=2, null=True, blank=True)
    honour_hours = models.DecimalField(
        _("honour hours"), max_digits=6, decimal_places=2, default=Decimal("0"), help_text=_("Granted by staff, kept apart from credited hours.")
    )
    # What staff recorded at verification: by default the hours the volunteer claimed, or else the
    # measured ones. The volunteer record counts these (empty until verified).
    hours = models.DecimalField(
        _("hours recorded"), max_digits=6, decimal_places=2, null=True, blank=True, help_text=_("Recorded by staff at verification.")
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    points_awarded = models.PositiveIntegerField(_("points awarded"), default=0)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Two-party confirmation: for a task with a beneficiary, the person served (or their guardian,
    # or staff on their behalf, or the volunteer with their card's code) confirms the service
    # happened before staff may verify it. Set once: the first confirmation stands.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmation_method = models.CharField(_("confirmed how"), max_length=8, choices=ConfirmationMethod.choices, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True, help_text=_("When staff confirmed on the person's behalf."))
    # The answer given at confirmed_at: "done", or "not_done" (the claim goes to staff as disputed
    # until they settle it with a reason, by verifying or rejecting it). Empty on older rows = done.
    confirmation_answer = models.CharField(_("answer of the person served"), max_length=8, choices=ConfirmationAnswer.choices, blank=True)
    confirmation_comment = models.CharField(_("comment of the person served"), max_length=500, blank=True)
    dispute_settled_at = models.DateTimeField(_("dispute settled at"), null=True, blank=True)
    dispute_reason = models.CharField(_("how staff settled the dispute"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("claimed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            # Never two live claims by one person on one task, even from two requests at once.
            models.UniqueConstraint(fields=["task", "user"], condition=Q(status__in=["claimed", "checked_in", "submitted", "verified"]), name="claim_one_live_per_person"),
            models.CheckConstraint(condition=Q(honour_hours__gte=0) & Q(credited_hours__gte=0), name="claim_hours_not_negative"),
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gte=0), name="claim_recorded_hours_not_negative"),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["task", "status"])]

    def __str__(self):
        return f"#{self.pk} {self.user} → {self.task}"

    @property
    def latest_correction(self):
        """The last correction asked for, or None; from a ``prefetch_related("corrections")`` when
        the list made one (so a page of claims asks once, not once per claim)."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("corrections")
        if prefetched is not None:
            rows = list(prefetched)
            return rows[-1] if rows else None
        return self.corrections.last()

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def awaits_confirmation(self) -> bool:
        """A service for a beneficiary that they have not confirmed yet: staff cannot verify it."""
        return self.task.beneficiary_id is not None and self.confirmed_at is None

    @property
    def is_disputed(self) -> bool:
        """The person served said the service did not happen, and staff have not settled it yet."""
        return self.confirmation_answer == ConfirmationAnswer.NOT_DONE and self.dispute_settled_at is None

    @property
    def hours_far_from_measured(self) -> bool:
        """The hours claimed differ a lot from those measured between check-in and check-out (by
        more than half an hour and more than half the measured time): staff should look twice."""
        if self.submitted_hours is None or self.checked_out_at is None:
            return False
        gap = abs(self.submitted_hours - self.credited_hours)
        return gap > HOURS_GAP_MINIMUM and gap > self.credited_hours * HOURS_GAP_SHARE

    @property
    def hours_to_record(self) -> Decimal:
        """What verification records unless staff say otherwise: the hours the volunteer claimed,
        or else those measured between check-in and check-out."""
        return self.submitted_hours if self.submitted_hours is not None else self.credited_hours


class WaitlistEntry(models.Model):
    """A volunteer waiting for a slot of a full task. The first in line (lowest id: entries of one
    task are written one at a time, under the task's row lock) becomes a claimant when a slot is
    freed, in the transaction that frees it (``orders.services.waitlist``)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("task"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries", verbose_name=_("volunteer"))
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        constraints = [
            # Once on a task's list, even from two requests at once.
            models.UniqueConstraint(fields=["task", "user"], name="waitlist_once_per_person"),
        ]

    def __str__(self):
        return f"{self.user} ⏳ {self.task}"


class ClaimStatusChange(StatusChange):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history", verbose_name=_("claim"))
    from_status = models.CharField(_("from"), max_length=12, choices=Claim.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Claim.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("claim status change")
        verbose_name_plural = _("claim status changes")

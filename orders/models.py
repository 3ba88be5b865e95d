"""What providers take on: claims on tasks (接单), bids on funded projects and the contracts they
become, and the reviews of the service delivered. Donations and spending are in ``funds``."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


class Review(models.Model):
    """1–5 stars for a delivered service, once per claim (by its beneficiary) or per contract (by
    staff of the project's community). Hidden, never deleted."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="review", verbose_name=_("claim"))
    contract = models.OneToOneField(
        "orders.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="review", verbose_name=_("contract")
    )
    # Who the review is about: the volunteer, and the organisation when they claimed for one.
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_received", verbose_name=_("volunteer")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews", verbose_name=_("organisation")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written", verbose_name=_("beneficiary"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by staff"),
        help_text=_("Set when staff entered the review on the beneficiary's behalf."),
    )
    # Who entered it for the beneficiary: staff (代录, with a consent note) or a guardian they named.
    entered_as = models.CharField(
        _("entered as"), max_length=8, blank=True, choices=[("staff", _("Staff, on the beneficiary's behalf")), ("guardian", _("Guardian"))]
    )
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hidden by"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="review_stars_1_to_5"),
            # A review is of exactly one delivered thing: a claim or a contract.
            models.CheckConstraint(
                condition=Q(claim__isnull=False, contract__isnull=True) | Q(claim__isnull=True, contract__isnull=False), name="review_of_one_thing"
            ),
        ]

    def __str__(self):
        return f"{self.stars}★ {self.provider or self.organization}"


class Bid(models.Model):
    """An organisation's sealed offer for a project: until the deadline only its bidder sees it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("bid status", "Submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("bid status", "Withdrawn")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    project = models.ForeignKey("marketplace.Project", on_delete=models.PROTECT, related_name="bids", verbose_name=_("project"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bids", verbose_name=_("organisation"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    proposal = models.TextField(_("proposal"), max_length=20000)
    team = models.TextField(_("team"), max_length=5000, blank=True)
    timeline = models.TextField(_("timeline"), max_length=5000, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="bids/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("revised at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            # One live bid per organisation per project, even from two requests at once.
            models.UniqueConstraint(fields=["project", "organization"], condition=~Q(status="withdrawn"), name="bid_one_per_organization"),
        ]

    def __str__(self):
        return f"{self.organization} → {self.project}"


class BidScore(models.Model):
    """One staff member's score (0–100) of one bid on one criterion. Kept for audit."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="scores", verbose_name=_("bid"))
    criterion = models.ForeignKey("marketplace.ProjectCriterion", on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion"))
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scored by"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])
    updated_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        verbose_name = _("bid score")
        verbose_name_plural = _("bid scores")
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "scorer"], name="bid_score_once_per_scorer"),
            models.CheckConstraint(condition=Q(score__lte=100), name="bid_score_at_most_100"),
        ]

    def __str__(self):
        return f"{self.bid} · {self.criterion}: {self.score}"


class Contract(models.Model):
    """The awarded bid, delivered by milestones that staff accept."""

    class Status(models.TextChoices):
        DELIVERING = "delivering", _("Delivering")
        COMPLETED = "completed", _("Completed")

    project = models.OneToOneField("marketplace.Project", on_delete=models.PROTECT, related_name="contract", verbose_name=_("project"))
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract", verbose_name=_("bid"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("organisation"))
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DELIVERING)
    created_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self):
        return f"{self.organization} · {self.project}"


class Milestone(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUBMITTED = "submitted", pgettext_lazy("milestone status", "Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("contract"))
    position = models.PositiveSmallIntegerField(default=0)
    deliverable = models.CharField(_("deliverable"), max_length=200)
    due_date = models.DateField(_("due date"))
    amount = models.PositiveBigIntegerField(_("amount share (minor units)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    evidence = models.TextField(_("evidence"), max_length=5000, blank=True)
    review_comment = models.CharField(_("staff comment"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.deliverable


class Certificate(models.Model):
    """A 志愿服务记录证明 as issued: who, by which community (谁记录谁证明: the community where the
    services were recorded), for which period, and the totals and lines exactly as certified that
    day. Kept for good and never edited, so a verification by its code still answers for what was
    certified even after the record changes."""

    code = models.CharField(_("verification code"), max_length=16, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("volunteer"))
    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issued by"))
    issuer_name = models.CharField(_("issuer"), max_length=200)
    volunteer_name = models.CharField(_("volunteer's name"), max_length=150)
    volunteer_no = models.CharField(_("volunteer number"), max_length=24)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    services = models.PositiveIntegerField(_("services"))
    hours = models.DecimalField(_("hours recorded"), max_digits=10, decimal_places=2)
    honour_hours = models.DecimalField(_("honour hours"), max_digits=10, decimal_places=2)
    lines = models.JSONField(_("services as certified"), default=list)
    language = models.CharField(_("language"), max_length=10)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        indexes = [models.Index(fields=["user", "community", "-issued_at"])]

    def __str__(self):
        return f"{self.code} · {self.volunteer_no}"

    @property
    def code_display(self) -> str:
        """The code in groups of four, as printed (XXXX-XXXX-XXXX-XXXX)."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


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

"""Funded projects taken: sealed bids and their scores, the contract awarded, its milestones."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization


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


class ContractTask(models.Model):
    """A volunteer task posted for a contract's project (by the contracted organisation's administrator
    or staff). The link lives here, in orders, so that marketplace's ``Task`` names nothing above it on
    the ladder; read it through ``orders.selectors.contract_tasks``."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="task_links", verbose_name=_("contract"))
    task = models.OneToOneField("marketplace.Task", on_delete=models.CASCADE, related_name="contract_link", verbose_name=_("task"))

    class Meta:
        verbose_name = _("task of a contract")
        verbose_name_plural = _("tasks of contracts")

    def __str__(self):
        return f"{self.contract_id} → {self.task_id}"


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

"""Funded projects put out to bid: the project, the criteria bids are scored on, its status history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Community
from core.history import StatusChange
from marketplace.models.categories import NEVER_PUBLISHED_STATUSES


class Project(models.Model):
    """A funded service project (政府购买服务 / 项目化) that verified organisations bid for."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("project status", "Open for bids")
        EVALUATING = "evaluating", _("Evaluating bids")
        AWARDED = "awarded", _("Awarded")
        DELIVERING = "delivering", _("Delivering")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="projects", verbose_name=_("community"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    budget = models.PositiveBigIntegerField(_("budget (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    service_starts = models.DateField(_("service starts"), null=True, blank=True)
    service_ends = models.DateField(_("service ends"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"))
    required_documents = models.TextField(_("required documents"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    # When the project was first opened for bids; never-published projects (drafts, cancelled
    # drafts) stay private to staff. See Task.published_at.
    published_at = models.DateTimeField(_("opened for bids at"), null=True, blank=True, editable=False)
    award_reason = models.TextField(_("reason for the award"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [models.CheckConstraint(condition=Q(budget__gte=1), name="project_budget_positive")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.published_at is None and self.status not in NEVER_PUBLISHED_STATUSES:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def bidding_closed(self, now=None) -> bool:
        """The server's clock decides: bids are sealed and accepted until this moment, not after."""
        return (now or timezone.now()) >= self.bid_deadline


class ProjectCriterion(models.Model):
    class Kind(models.TextChoices):
        SCORED = "scored", _("Scored by staff")
        # The organisation's track record (#22): its score is computed from what it has really
        # delivered when a staff member scores the bid, never typed (``orders.scoring``).
        TRACK_RECORD = "track_record", _("The organisation's track record")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("project"))
    name = models.CharField(_("criterion"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SCORED)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self):
        return f"{self.name} {self.weight}%"


class ProjectStatusChange(StatusChange):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history", verbose_name=_("project"))
    from_status = models.CharField(_("from"), max_length=12, choices=Project.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Project.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)  # a decision's reason can be longer

    class Meta(StatusChange.Meta):
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")

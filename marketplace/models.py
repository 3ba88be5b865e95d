"""What communities publish: micro-service tasks (微服务). Needs and projects come with later issues."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Skill


class Category(models.TextChoices):
    ELDER_CARE = "elder_care", _("Elder care")
    CHILDCARE = "childcare", _("Childcare")
    MOBILITY = "mobility", _("Mobility")
    DISABILITY = "disability", _("Disability help")
    COUNSELLING = "counselling", _("Counselling")
    REPAIR = "repair", _("Repair")
    CULTURE = "culture", _("Culture and sports")
    EDUCATION = "education", _("Education")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


class Task(models.Model):
    """A micro-service item a community publishes; volunteers take its slots (接单)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        FULL = "full", _("Full")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("community"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    slots = models.PositiveSmallIntegerField(_("slots"))
    # How many live claims hold a slot. Changed only by conditional UPDATEs in orders.services,
    # in the same transaction as the claim, so it is the capacity guard and never drifts.
    slots_taken = models.PositiveSmallIntegerField(_("slots taken"), default=0)
    points = models.PositiveIntegerField(_("points per verified slot"), default=0)
    skills = models.ManyToManyField(Skill, blank=True, related_name="tasks", verbose_name=_("wanted skills"))
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks_benefiting",
        verbose_name=_("beneficiary"),
        help_text=_("The resident the service is for, who may review it."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # The last line of defence against overbooking: the database refuses it.
            models.CheckConstraint(condition=Q(slots_taken__lte=F("slots")), name="task_not_overbooked"),
            models.CheckConstraint(condition=Q(slots__gte=1), name="task_has_a_slot"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="task_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["category", "starts_at"]),
        ]

    def __str__(self):
        return self.title

    @property
    def slots_free(self) -> int:
        return max(0, self.slots - self.slots_taken)

    @property
    def hours(self):
        """The task's length in hours: the most anyone can be credited or honoured for it."""
        from decimal import Decimal

        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


class TaskStatusChange(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="history", verbose_name=_("task"))
    from_status = models.CharField(_("from"), max_length=12, choices=Task.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Task.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]  # the order things happened in
        verbose_name = _("task status change")
        verbose_name_plural = _("task status changes")

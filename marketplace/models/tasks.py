"""Micro-service tasks (微服务): a task, the series it may repeat in, and its status history."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Skill
from core.history import StatusChange
from marketplace.models.categories import NEVER_PUBLISHED_STATUSES, Category
from marketplace.search import task_grams


class TaskSeries(models.Model):
    """Tasks posted together as one that repeats (every day or every week, 2 to 52 times): each
    occurrence is an ordinary task, edited or cancelled alone or with the rest of the series."""

    class Every(models.TextChoices):
        DAY = "day", _("Every day")
        WEEK = "week", _("Every week")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="task_series", verbose_name=_("community"))
    every = models.CharField(_("repeats"), max_length=8, choices=Every.choices)
    count = models.PositiveSmallIntegerField(_("occurrences"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task series")
        verbose_name_plural = _("task series")
        constraints = [models.CheckConstraint(condition=Q(count__gte=2) & Q(count__lte=52), name="task_series_count_2_to_52")]

    def __str__(self):
        return f"#{self.pk} {self.get_every_display()} ×{self.count}"


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
    # When the task was first shown to the public. A task never published (a draft, or a draft
    # that was cancelled) stays private to its community's staff through every door: the
    # selectors, the board's pushes and the dashboards test this, not the status.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    need = models.ForeignKey(
        "marketplace.Need", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("from the need")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The series this task is one occurrence of, when it was posted as a repeating task.
    series = models.ForeignKey(
        TaskSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("series")
    )
    # Two-character windows of the title and description, kept by save(), for the search index
    # (marketplace/search.py; GIN-indexed on PostgreSQL by migration 0006).
    search_grams = models.JSONField(default=list, blank=True, editable=False)

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
            # A community's board filtered by category (the commonest filter): one range, in order.
            models.Index(fields=["community", "category", "starts_at"]),
            # One community's published tasks in board order: the first page is read from the index
            # and counted from it, however many tasks the community has (bench: growth figure).
            models.Index(fields=["community", "starts_at", "id"], condition=Q(published_at__isnull=False), name="task_community_published_start"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_grams = task_grams(self.title, self.description)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "description"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_grams"}
        if self.published_at is None and self.status not in NEVER_PUBLISHED_STATUSES:
            # Saved in a public status by another door than task_transition (the admin, a fixture).

            self.published_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def slots_free(self) -> int:
        return max(0, self.slots - self.slots_taken)

    @property
    def hours(self):
        """The task's length in hours: the most anyone can be credited or honoured for it."""
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


class TaskStatusChange(StatusChange):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="history", verbose_name=_("task"))
    from_status = models.CharField(_("from"), max_length=12, choices=Task.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Task.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("task status change")
        verbose_name_plural = _("task status changes")

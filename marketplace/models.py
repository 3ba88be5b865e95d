"""What communities publish and hear: micro-service tasks (微服务), residents' needs (居民需求) with their
triage (三事分流), and consultations (协商议事). Projects come with a later issue."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import notices
from accounts.models import Community, Skill
from core.history import StatusChange, status_change_str
from marketplace.search import task_grams


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


# The statuses an object can have without ever having been published (a draft, a cancelled draft).
NEVER_PUBLISHED_STATUSES = ("draft", "cancelled")


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
    contract = models.ForeignKey(
        "orders.Contract", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("for the contract")
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


class Need(models.Model):
    """A resident's need (居民需求), triaged by staff into one of three tracks (三事分流)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("need status", "Submitted")
        TRIAGED = "triaged", _("Triaged")
        IN_PROGRESS = "in_progress", pgettext_lazy("need status", "In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Track(models.TextChoices):
        MAJOR = "major", _("Major matter (government)")
        MINOR = "minor", _("Minor matter (community)")
        PRIVATE = "private", _("Private matter (personal)")

    class Urgency(models.IntegerChoices):
        LOW = 1, _("Can wait")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("Fairly urgent")
        URGENT = 4, _("Urgent")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="needs", verbose_name=_("community"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="needs", verbose_name=_("resident"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    anonymous = models.BooleanField(
        _("anonymous to other residents"), default=False, help_text=_("Staff always see who asked; other residents do not.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, blank=True)
    reply = models.TextField(_("reply"), max_length=2000, blank=True, help_text=_("What the resident (and the public board) reads."))
    department = models.CharField(_("referred to"), max_length=120, blank=True, help_text=_("The government department, for a major matter."))
    suggested_organizations = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="suggested_for_needs", verbose_name=_("organisations suggested")
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Assisted use (代办): staff posted it for a resident without a phone, with their consent.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by staff")
    )
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-urgency", "created_at", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [models.CheckConstraint(condition=Q(urgency__gte=1) & Q(urgency__lte=4), name="need_urgency_valid")]

    def __str__(self):
        return self.title


class NeedEvent(models.Model):
    """The need's history: every status or track change, with what the resident was told."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="history", verbose_name=_("need"))
    from_status = models.CharField(_("from"), max_length=12, choices=Need.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Need.Status.choices)
    track = models.CharField(_("track"), max_length=8, choices=Need.Track.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # A line the system wrote ("task posted: …") is a code of ``accounts.notices`` and its parameters,
    # read in each reader's language (``note_text``); ``note`` keeps it as first written, and what
    # staff replied.
    note_code = models.CharField(_("note code"), max_length=40, blank=True, editable=False)
    note_params = models.JSONField(_("note parameters"), default=dict, blank=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("need event")
        verbose_name_plural = _("need events")

    def __str__(self):
        return status_change_str(self)

    @property
    def note_text(self) -> str:
        """The note in the active language."""
        return notices.render(self.note_code, self.note_params, self.note) if self.note_code else self.note


class ConsultationCategory(models.TextChoices):
    """Pengshui's list of what residents deliberate (协商事项分类), shared by consultations and the
    stewards' issues (deliberation)."""

    RULES = "rules", _("Rules and systems (制度建设类)")
    PUBLIC_AFFAIRS = "public_affairs", _("Public affairs and welfare (公共事务公益事业类)")
    MANAGEMENT = "management", _("Community management (村(居)务管理类)")
    OTHER = "other", pgettext_lazy("consultation category", "Other (其他类)")


class Consultation(models.Model):
    """A topic for community consultation (协商议事), e.g. 文明养犬: residents comment and vote."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("community"))
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations", verbose_name=_("need"))
    title = models.CharField(_("topic"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=ConsultationCategory.choices, default=ConsultationCategory.OTHER)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    closes_at = models.DateTimeField(_("voting closes at"))
    decision = models.TextField(_("decision or agreement"), max_length=5000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.closes_at


class ConsultationOption(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options", verbose_name=_("consultation"))
    label = models.CharField(_("option"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.label


class Vote(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="votes", verbose_name=_("consultation"))
    option = models.ForeignKey(ConsultationOption, on_delete=models.CASCADE, related_name="votes", verbose_name=_("option"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", verbose_name=_("resident"))
    updated_at = models.DateTimeField(_("voted at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        # One vote per resident per topic; changing it updates the row.
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="vote_once_per_consultation")]

    def __str__(self):
        return f"{self.user} → {self.option}"


class Comment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments", verbose_name=_("consultation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("comment"), max_length=2000)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hidden by"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


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

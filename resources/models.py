"""Linking resources (联资源): a community's rooms (venues) and their bookings, standing weekly
handovers of a room to an organisation (让渡), the 备案 of community groups, and the talent pool
(达人 / 讲师).

Two bookings of one room never overlap: the services check and write under the venue's lock, and on
PostgreSQL an exclusion constraint on the half-open time range (migration 0002) is the last line of
defence. Every text is plain text: pages escape it, nothing here is ever marked safe."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import StatusChange


class Venue(models.Model):
    """A room a community lends: 文化活动室, 养老服务站, a 市民活动中心's spaces."""

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="venues", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"))
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))
    max_hours = models.PositiveSmallIntegerField(_("longest booking (hours)"), default=4)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["community_id", "name", "id"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="venue_closes_after_opening"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def open_hours(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


class Booking(models.Model):
    """A request to use a room for a time and a purpose: requested → confirmed / refused, and
    cancelled from either. Requested and confirmed bookings hold their time (half-open)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    HOLDING = (Status.REQUESTED, Status.CONFIRMED)

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("venue"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venue_bookings", verbose_name=_("requested by"))
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="venue_bookings", verbose_name=_("organisation")
    )
    task = models.ForeignKey(
        "marketplace.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="venue_bookings", verbose_name=_("task")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start")]
        indexes = [models.Index(fields=["venue", "starts_at"], name="booking_venue_start")]

    def __str__(self):
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatusChange(StatusChange):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="history", verbose_name=_("booking"))
    from_status = models.CharField(_("from"), max_length=12, choices=Booking.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Booking.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")


class Handover(models.Model):
    """让渡: a room given to an organisation for a standing weekly slot ("every Tuesday 14:00–17:00
    from March to June"). Each occurrence blocks the room like a confirmed booking."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("venue"))
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="venue_handovers", verbose_name=_("organisation"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("1 = Monday … 7 = Sunday"))
    starts = models.TimeField(_("from (time)"))
    ends = models.TimeField(_("until (time)"))
    valid_from = models.DateField(_("first day"))
    valid_until = models.DateField(_("last day"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by"))
    created_at = models.DateTimeField(_("handed over at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["venue_id", "weekday", "starts", "id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="handover_ends_after_start"),
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="handover_period_ordered"),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="handover_weekday_1_to_7"),
        ]

    def __str__(self):
        return f"{self.venue} · {self.organization}"


class GroupFiling(models.Model):
    """备案 of a community group (社区社会组织): recorded by staff with a lighter check than an
    agency's (a leader and a note rather than documents); recording it verifies the group."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="filing", verbose_name=_("community group"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group filing")
        verbose_name_plural = _("group filings")

    def __str__(self):
        return str(self.organization)


class Talent(models.Model):
    """A person who chose to be listed as a 达人 / 讲师, with the fields she teaches and a short bio."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talent", verbose_name=_("person"))
    community = models.ForeignKey("accounts.Community", on_delete=models.CASCADE, related_name="talents", verbose_name=_("community"))
    fields = models.JSONField(_("fields"), default=list)
    # "|绘本|手作|": the fields as text, so "?field=" is one indexable LIKE on every database.
    fields_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    bio = models.CharField(_("short bio"), max_length=500)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["community_id", "user_id"]
        verbose_name = _("talent")
        verbose_name_plural = _("talents")

    def __str__(self):
        return str(self.user)

    def save(self, *args, **kwargs):
        self.fields_key = "|" + "|".join(self.fields) + "|"
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fields_key"}
        super().save(*args, **kwargs)


class TalentInvitation(models.Model):
    """Staff or an organisation invite a talent to a task; she is told and decides on the task page."""

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("talent"))
    task = models.ForeignKey("marketplace.Task", on_delete=models.CASCADE, related_name="talent_invitations", verbose_name=_("task"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("talent invitation")
        verbose_name_plural = _("talent invitations")
        constraints = [models.UniqueConstraint(fields=["talent", "task"], name="talent_invited_once_per_task")]


class GroupActivity(models.Model):
    """An activity a filed community group proposes (a task posted as the group's): it waits as a
    draft task until staff of the community approve it (the task is published) or refuse it with a
    reason (the draft is cancelled). The proposer is told either way."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting staff")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="group_activities",
                                     verbose_name=_("community group"))
    task = models.OneToOneField("marketplace.Task", on_delete=models.CASCADE, related_name="group_activity", verbose_name=_("task"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")

    def __str__(self):
        return str(self.task)


class GroupActivityStatusChange(StatusChange):
    activity = models.ForeignKey(GroupActivity, on_delete=models.CASCADE, related_name="history", verbose_name=_("group activity"))
    from_status = models.CharField(_("from"), max_length=10, choices=GroupActivity.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=GroupActivity.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("group activity status change")
        verbose_name_plural = _("group activity status changes")

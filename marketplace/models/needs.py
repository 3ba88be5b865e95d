"""Residents' needs (居民需求) and the events of their triage (三事分流)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import notices
from accounts.models import Community
from core.history import status_change_str
from marketplace.models.categories import Category


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

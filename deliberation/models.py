"""百姓管家 · 议事协商 and conduct points (积分制): the stewards a community appoints, the issues they
collect, the meetings that decide them (attendance, motions, votes, minutes), the conventions
residents sign (居民公约 / 村规民约), and the conduct rules whose awards a second staff member
approves before the points ledger pays them.

Who may read what is decided in ``deliberation.selectors``; every change is in
``deliberation.services``, each move of a meeting, motion or award written to its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.history import StatusChange
from marketplace.models import ConsultationCategory

# The share of a community's households that it aims to have as stewards (6 %, as 锣旗寺社区).
STEWARD_SHARE_PERCENT = 6


class Steward(models.Model):
    """A resident appointed 百姓管家: collects her neighbours' issues and votes in the meetings."""

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="stewards", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stewardships", verbose_name=_("steward"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("appointed by"))
    appointed_at = models.DateTimeField(_("appointed at"), auto_now_add=True)

    class Meta:
        ordering = ["appointed_at", "id"]
        verbose_name = _("steward")
        verbose_name_plural = _("stewards")
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="deliberation_steward_once")]

    def __str__(self):
        return f"{self.user} @ {self.community}"


class Issue(models.Model):
    """A 民生实事 issue collected for the next meeting, from a steward or from a resident's need."""

    class Status(models.TextChoices):
        COLLECTED = "collected", pgettext_lazy("issue status", "Collected")
        ON_AGENDA = "on_agenda", pgettext_lazy("issue status", "On the agenda")
        DECIDED = "decided", pgettext_lazy("issue status", "Decided")

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="deliberation_issues", verbose_name=_("community"))
    title = models.CharField(_("issue"), max_length=120)
    text = models.TextField(_("details"), max_length=4000, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=ConsultationCategory.choices, default=ConsultationCategory.OTHER)
    need = models.ForeignKey("marketplace.Need", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from the need"))
    # 线上议事: a consultation opened on this issue, so those who cannot come vote online before the meeting.
    consultation = models.ForeignKey(
        "marketplace.Consultation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("online consultation")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COLLECTED, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("collected by"))
    created_at = models.DateTimeField(_("collected at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self):
        return self.title


class Meeting(models.Model):
    """A stewards' meeting (百姓管家议事会) with its agenda; minutes publish it."""

    class Status(models.TextChoices):
        CALLED = "called", pgettext_lazy("meeting status", "Called")
        PUBLISHED = "published", pgettext_lazy("meeting status", "Minutes published")

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="deliberation_meetings", verbose_name=_("community"))
    title = models.CharField(_("meeting"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("place"), max_length=120)
    issues = models.ManyToManyField(Issue, related_name="meetings", blank=True, verbose_name=_("agenda"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CALLED, db_index=True)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by"))
    created_at = models.DateTimeField(_("called at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title


class MeetingStatusChange(StatusChange):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="history", verbose_name=_("meeting"))
    from_status = models.CharField(_("from"), max_length=10, choices=Meeting.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Meeting.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("meeting status change")
        verbose_name_plural = _("meeting status changes")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("present"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="deliberation_attend_once")]


class Motion(models.Model):
    """A motion put to the stewards present; closing it counts the votes once."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("motion status", "Voting")
        PASSED = "passed", pgettext_lazy("motion status", "Passed")
        FAILED = "failed", pgettext_lazy("motion status", "Not passed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions", verbose_name=_("meeting"))
    issue = models.ForeignKey(Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="motions", verbose_name=_("issue"))
    title = models.CharField(_("motion"), max_length=120)
    text = models.TextField(_("text"), max_length=8000, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0)
    stewards_present = models.PositiveIntegerField(_("stewards present"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("put by"))
    created_at = models.DateTimeField(_("put at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")

    def __str__(self):
        return self.title

    @property
    def passed(self) -> bool:
        return self.status == self.Status.PASSED


class MotionStatusChange(StatusChange):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="history", verbose_name=_("motion"))
    from_status = models.CharField(_("from"), max_length=8, choices=Motion.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=Motion.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("motion status change")
        verbose_name_plural = _("motion status changes")


class MotionVote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", pgettext_lazy("vote", "For")
        AGAINST = "against", pgettext_lazy("vote", "Against")
        ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="votes", verbose_name=_("motion"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("steward"))
    vote = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    # Staff recording a show of hands (举手表决) for a steward without a phone.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("motion vote")
        verbose_name_plural = _("motion votes")
        # The race this stops: a steward's double tap, or her tap and staff's show of hands at once.
        constraints = [models.UniqueConstraint(fields=["motion", "user"], name="deliberation_vote_once")]


class Convention(models.Model):
    """A 居民公约 / 村规民约 agreed by a passed motion, which residents sign (接受公约)."""

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="conventions", verbose_name=_("community"))
    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="convention", verbose_name=_("motion"))
    title = models.CharField(_("convention"), max_length=120)
    text = models.TextField(_("text"), max_length=20000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self):
        return self.title


class ConventionSignature(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("convention"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident"))
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["convention", "user"], name="deliberation_sign_once")]


class ConductRule(models.Model):
    """A rule for conduct points (积分制): 文明养犬 +10, 清理楼道杂物 +5, often from a convention."""

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="conduct_rules", verbose_name=_("community"))
    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, null=True, blank=True, related_name="rules", verbose_name=_("convention"))
    title = models.CharField(_("conduct"), max_length=120)
    points = models.PositiveIntegerField(_("points"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["community_id", "id"]
        verbose_name = _("conduct rule")
        verbose_name_plural = _("conduct rules")
        constraints = [models.CheckConstraint(condition=Q(points__gte=1), name="deliberation_rule_points_positive")]

    def __str__(self):
        return f"{self.title} +{self.points}"


class ConductAward(models.Model):
    """An award proposed with evidence; paid by the ledger only when a second staff member approves."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("award status", "Waiting for approval")
        APPROVED = "approved", pgettext_lazy("award status", "Approved and paid")
        REJECTED = "rejected", pgettext_lazy("award status", "Not approved")

    rule = models.ForeignKey(ConductRule, on_delete=models.PROTECT, related_name="awards", verbose_name=_("rule"))
    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="conduct_awards", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conduct_awards", verbose_name=_("resident"))
    points = models.PositiveIntegerField(_("points"))
    evidence = models.TextField(_("evidence"), max_length=2000)
    # A photo or a PDF, private: served only by deliberation.views.award_photo to those who may read the award.
    photo = models.FileField(_("photo"), upload_to="conduct/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    points_paid = models.PositiveIntegerField(_("points paid"), default=0)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conduct award")
        verbose_name_plural = _("conduct awards")
        constraints = [
            # The two-person rule (积分评议) as the last line of defence.
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")), name="deliberation_award_two_people"),
        ]

    def __str__(self):
        return f"{self.rule.title} → {self.user}"


class ConductAwardStatusChange(StatusChange):
    award = models.ForeignKey(ConductAward, on_delete=models.CASCADE, related_name="history", verbose_name=_("award"))
    from_status = models.CharField(_("from"), max_length=8, choices=ConductAward.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=ConductAward.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("award status change")
        verbose_name_plural = _("award status changes")

"""Applications for assistance (社会救助云申请 · 困难群众直通车): what a resident asks for, the
documents she gives, the verification a social-work organisation makes, the decision and the
referrals to other help found on the way.

Who may read an application is decided in ``relief.selectors`` (``application_get_for``); what
moves it is in ``relief.services``, through ``ALLOWED_TRANSITIONS``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.history import StatusChange


class Application(models.Model):
    class Kind(models.TextChoices):
        MINIMUM_LIVING = "minimum_living", _("Minimum living allowance (低保)")
        TEMPORARY = "temporary", _("Temporary assistance (临时救助)")
        MEDICAL = "medical", _("Medical assistance (医疗救助)")
        DISABILITY_AID = "disability_aid", _("Disability aids (残疾辅具)")
        OTHER = "other", pgettext_lazy("assistance kind", "Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("assistance status", "Submitted")
        VERIFYING = "verifying", pgettext_lazy("assistance status", "Being verified")
        REPORTED = "reported", pgettext_lazy("assistance status", "Verification reported")
        APPROVED = "approved", pgettext_lazy("assistance status", "Approved")
        REJECTED = "rejected", pgettext_lazy("assistance status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("assistance status", "Withdrawn")

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="assistance_applications", verbose_name=_("community"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assistance_applications", verbose_name=_("applicant"))
    # Staff at the service window applying for a resident without a phone, with how she agreed.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=16, unique=True)
    kind = models.CharField(_("kind of help"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    monthly_income = models.PositiveBigIntegerField(_("monthly household income (fen)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    delegated_to = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="assistance_applications", verbose_name=_("verified by")
    )
    delegation_note = models.CharField(_("note to the organisation"), max_length=200, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    moved_at = models.DateTimeField(_("last moved at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # When staff were last reminded that it waits (relief.tasks): once a day at most.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assistance application")
        verbose_name_plural = _("assistance applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "verifying", "reported", "approved", "rejected", "withdrawn"]), name="relief_application_status_valid"
            ),
            models.CheckConstraint(condition=Q(household_size__isnull=True) | Q(household_size__gte=1), name="relief_household_at_least_one"),
        ]

    def __str__(self):
        return self.tracking_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def monthly_income_yuan(self) -> str:
        return "" if self.monthly_income is None else f"{self.monthly_income / 100:.2f}"

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)


OPEN_STATUSES = (Application.Status.SUBMITTED, Application.Status.VERIFYING, Application.Status.REPORTED)
# The statuses in which the organisation it is delegated to works on it (and may read its details).
DELEGATED_STATUSES = (Application.Status.VERIFYING, Application.Status.REPORTED)

# The state machine, written once: services.application_move checks every move against it.
ALLOWED_TRANSITIONS = {
    Application.Status.SUBMITTED: {Application.Status.VERIFYING, Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.WITHDRAWN},
    Application.Status.VERIFYING: {Application.Status.REPORTED, Application.Status.WITHDRAWN},
    Application.Status.REPORTED: {Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.WITHDRAWN},
    Application.Status.APPROVED: set(),
    Application.Status.REJECTED: set(),
    Application.Status.WITHDRAWN: set(),
}


class ApplicationStatusChange(StatusChange):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history", verbose_name=_("application"))
    from_status = models.CharField(_("from"), max_length=12, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Application.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")


class VerificationReport(models.Model):
    """What the social-work organisation found on its visit (入户核查)."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports", verbose_name=_("application"))
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("social worker"))
    findings = models.TextField(_("findings"), max_length=4000)
    recommendation = models.CharField(_("recommendation"), max_length=8, choices=Recommendation.choices)
    suggested_referral = models.CharField(_("other help the person may need"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("verification report")
        verbose_name_plural = _("verification reports")


class ApplicationDocument(models.Model):
    """A certificate's photo or a PDF: a private upload, served only by relief.views.document."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application"))
    report = models.ForeignKey(VerificationReport, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments", verbose_name=_("report"))
    file = models.FileField(_("file"), upload_to="relief/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class Referral(models.Model):
    """转介: other help found on the way (an electric wheelchair, a job centre), to an organisation of
    the platform or a named office."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("application"))
    to_organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to organisation")
    )
    to_text = models.CharField(_("to (office or service)"), max_length=120, blank=True)
    what = models.CharField(_("for what"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(condition=Q(to_organization__isnull=False) | ~Q(to_text=""), name="relief_referral_has_a_target"),
        ]

    @property
    def target(self) -> str:
        return self.to_organization.name if self.to_organization_id else self.to_text

"""Organisations: their members, the history of their status, and their annual reports (年检)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models.places import Community
from core.history import status_change_str


class Organization(models.Model):
    """A social organisation, social-work agency, business association or charity.

    Verified once by staff before its members may claim tasks for it or bid on projects.
    """

    class Kind(models.TextChoices):
        SOCIAL_ORGANIZATION = "social_org", _("Social organisation")
        SOCIAL_WORK_AGENCY = "social_work", _("Social-work agency")
        BUSINESS_ASSOCIATION = "business", _("Business association / enterprise")
        CHARITY = "charity", _("Charity")
        COMMUNITY_GROUP = "community_group", _("Community group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("home community"),
        help_text=_("Staff of this community verify it; with none, any community's staff may."),
    )
    description = models.TextField(_("description"), blank=True)
    # Public contact details, published by the organisation's administrator on its page (each
    # left empty is not shown): how a resident sent to "contact these organisations" reaches it.
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("public phone"), max_length=30, blank=True)
    contact_address = models.CharField(_("public address"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("status changed by")
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["pending", "verified", "suspended"]), name="organization_status_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class OrganizationMember(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members", verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "role", "created_at"]
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="organization_member_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organization}"


class OrganizationStatusChange(models.Model):
    """Who moved an organisation from one status to another, when and why. Never edited."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("organisation"))
    from_status = models.CharField(_("from"), max_length=16, choices=Organization.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Organization.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("organisation status change")
        verbose_name_plural = _("organisation status changes")

    def __str__(self):
        return status_change_str(self)


class AnnualReport(models.Model):
    """年检: an organisation's report on a year (activities, income, spending), filed by its admin and
    reviewed by staff. Filing it by the deadline (``accounts.annual_reports``) keeps the right to bid."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        PASSED = "passed", _("Passed")
        NEEDS_CORRECTION = "needs_correction", _("Needs correction")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="annual_reports", verbose_name=_("organisation"))
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("activities"), max_length=4000)
    income = models.PositiveBigIntegerField(_("income (minor units)"))
    spending = models.PositiveBigIntegerField(_("spending (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FILED, db_index=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-year", "organization_id"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="annual_report_once_a_year")]

    def __str__(self):
        return f"{self.organization} {self.year}"

"""People, places and organisations: who may act where.

District → Street → Community is the tenant boundary: staff act only inside the communities where
they hold a staff membership. The district admin is the Django superuser.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts import notices
from core.history import status_change_str


class Skill(models.Model):
    """A tag such as 陪护, 维修 or 心理疏导, carried by people and wanted by tasks."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.name


# What a closed account is called wherever a name would be shown, in the reader's language.
CLOSED_ACCOUNT_NAME = _("Deleted user")


class User(AbstractUser):
    """A person. The profile (display name, phone, skills, bio) lives on the user: one row, no join."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="users")
    # Set when the person closed their account (POST /me/delete): the row stays, so the ledger,
    # hours and history that point at it stay whole, but it cannot log in and shows no name.
    closed_at = models.DateTimeField(_("account closed at"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "Zhang" and "zhang" are one name to people; do not let two accounts hold it.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self):
        return self.shown_name

    @property
    def shown_name(self) -> str:
        if self.closed_at is not None:
            return str(CLOSED_ACCOUNT_NAME)
        return self.display_name or self.username


class District(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class Street(models.Model):
    """街道 or 镇: the level between district and community."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="street_unique_in_district")]

    def __str__(self):
        return self.name


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    # The number of households, which sets the target of stewards (百姓管家, 6 % of households).
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["street__district__name", "street__name", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_unique_in_street")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in one community. A person may hold several roles (a resident who volunteers)."""

    class Role(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        VOLUNTEER = "volunteer", _("Volunteer")
        STAFF = "staff", _("Community staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("community"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["community_id", "role", "created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # The last line of defence against joining twice in a race: the database refuses it.
            models.UniqueConstraint(fields=["user", "community", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=["resident", "volunteer", "staff"]), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["community", "role"])]

    def __str__(self):
        return f"{self.user} @ {self.community} ({self.get_role_display()})"


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


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, help_text=_("The first characters, to tell tokens apart."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


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


class Notification(models.Model):
    """Something that happened to a person (claim verified, task cancelled, …). Stored for everyone,
    so a person who was offline sees it next time; pushed live when they are online."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=40)
    # What to say, as a code and its parameters (accounts/notices.py), so each reader gets it in
    # their language. ``message`` keeps the sentence as written (in the writer's language): shown
    # for rows from before codes existed, and for any code the registry no longer knows.
    message = models.CharField(_("message"), max_length=300)
    code = models.CharField(_("message code"), max_length=40, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language."""
        return notices.render(self.code, self.params, self.message) if self.code else self.message


class CommunityInvitation(models.Model):
    """Staff asking a person who is not yet a member to join their community in a role. Nothing
    changes until the person accepts: nobody is made a member (or staff) without consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_invitations", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("invited by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("community invitation")
        verbose_name_plural = _("community invitations")
        constraints = [
            # One open invitation per person, community and role: a second click finds the first.
            models.UniqueConstraint(
                fields=["user", "community", "role"], condition=models.Q(status="pending"), name="invitation_one_pending"
            ),
            models.CheckConstraint(condition=models.Q(status__in=["pending", "accepted", "declined"]), name="invitation_status_valid"),
        ]

    def __str__(self):
        return f"{self.user} → {self.community} ({self.get_role_display()})"


class VolunteerNumber(models.Model):
    """A person's volunteer number (志愿者编号): the district's prefix and a serial, given once at
    their first claim and never changed, so records, certificates and exports name the person
    without an identity-card number. The serial is the row's id: the database hands out each one
    once, so two people signing up at the same moment never share a number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_number", verbose_name=_("person"))
    number = models.CharField(_("volunteer number"), max_length=24, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("numbered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer number")
        verbose_name_plural = _("volunteer numbers")

    def __str__(self):
        return self.number or ""

    @staticmethod
    def format(prefix: str, serial: int) -> str:
        return f"{prefix}{serial:08d}"


class ServiceCard(models.Model):
    """A resident's printed service card (服务卡): a short code, also as a QR code, that the person
    served shows the volunteer to confirm a service. Renewing the card replaces the code; the old
    one stops working at once. Residents without a phone get theirs from staff."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_card", verbose_name=_("person"))
    code = models.CharField(_("card code"), max_length=16, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")

    def __str__(self):
        return f"{self.user} ({self.code[:4]}…)"

    @property
    def shown_code(self) -> str:
        """The code as printed: two groups of four, easy to read aloud and to type."""
        return f"{self.code[:4]}-{self.code[4:]}"


class Guardian(models.Model):
    """A family member or neighbour (家属/监护人) a resident names: they may confirm services for the
    resident and rate them, shown as acting for them. Only the resident names or removes them."""

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("resident"))
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wards", verbose_name=_("guardian"))
    created_at = models.DateTimeField(_("named at"), auto_now_add=True)
    # The link is real only once the guardian accepted it (or staff recorded consent at the desk):
    # until then they may not act for the resident, and the resident sees their name masked.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(fields=["resident", "guardian"], name="guardian_unique"),
            models.CheckConstraint(condition=~models.Q(resident=models.F("guardian")), name="guardian_not_self"),
        ]

    def __str__(self):
        return f"{self.guardian} → {self.resident}"


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

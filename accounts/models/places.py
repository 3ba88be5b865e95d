"""Places and who belongs to them: District → Street → Community (the tenant boundary), a
person's memberships, and staff's invitations to join."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

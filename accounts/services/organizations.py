"""Organisations: registered, reviewed (verified, suspended) by staff, their public contact and members."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    Community,
    Membership,
    Organization,
    OrganizationMember,
    OrganizationStatusChange,
    User,
)
from accounts.selectors import is_organization_admin
from accounts.services.common import clean_text
from accounts.validators import is_valid_credit_code, normalize_credit_code
from core.errors import Conflict, PermissionDenied, ValidationFailed

__all__ = ["organization_create", "can_review_organization", "ORGANIZATION_TRANSITIONS", "organization_verify", "organization_suspend", "PUBLIC_PHONE", "organization_contact_update", "organization_member_add"]


# --- Organisations -----------------------------------------------------------------------------
def organization_create(
    *, actor: User, name: str, kind: str, credit_code: str, community: Community | None = None, description: str = ""
) -> Organization:
    """Register an organisation, pending verification; the caller becomes its administrator."""
    name = clean_text(name, field="name", label=_("Organisation name"), max_length=120)
    if kind not in Organization.Kind.values:
        labels = ", ".join(str(label) for label in Organization.Kind.labels)
        raise ValidationFailed(_("Unknown kind. Choose one of: %(kinds)s.") % {"kinds": labels}, code="invalid_kind", field="kind")
    code = normalize_credit_code(credit_code)
    if not is_valid_credit_code(code):
        raise ValidationFailed(
            _("This is not a valid unified social credit code (18 characters, with a correct check character)."),
            code="invalid_credit_code",
            field="credit_code",
        )
    taken = Conflict(_("An organisation with this credit code is already registered."), code="credit_code_taken", field="credit_code")
    if Organization.objects.filter(credit_code=code).exists():
        raise taken
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name, kind=kind, credit_code=code, community=community, description=description.strip(), created_by=actor
            )
            OrganizationMember.objects.create(organization=org, user=actor, role=OrganizationMember.Role.ADMIN)
    except IntegrityError:
        raise taken from None
    return org


def can_review_organization(user: User, organization: Organization) -> bool:
    """Staff of the organisation's home community; any community's staff when it has none."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = Membership.objects.filter(user=user, role=Membership.Role.STAFF)
    if organization.community_id:
        staff = staff.filter(community_id=organization.community_id)
    return staff.exists()


ORGANIZATION_TRANSITIONS = {
    Organization.Status.PENDING: {Organization.Status.VERIFIED, Organization.Status.SUSPENDED},
    Organization.Status.VERIFIED: {Organization.Status.SUSPENDED},
    Organization.Status.SUSPENDED: {Organization.Status.VERIFIED},
}


def _organization_transition(*, actor: User, organization: Organization, to: str, reason: str = "") -> Organization:
    if not can_review_organization(actor, organization):
        raise PermissionDenied(_("Only staff can verify or suspend this organisation."))
    with transaction.atomic():
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        if current.status == to:
            return current  # a retried request finds the work done
        if to not in ORGANIZATION_TRANSITIONS[current.status]:
            raise Conflict(_("This organisation cannot move from this status to that one."), code="invalid_transition")
        now = timezone.now()
        # Conditional update: if another request moved it since we read it, we change nothing.
        moved = Organization.objects.filter(pk=current.pk, status=current.status).update(
            status=to, status_changed_by=actor, status_changed_at=now, status_reason=reason
        )
        if not moved:
            raise Conflict(_("This organisation was changed by someone else; please reload."), code="invalid_transition")
        OrganizationStatusChange.objects.create(
            organization=current, from_status=current.status, to_status=to, actor=actor, reason=reason
        )
        current.refresh_from_db()
        return current


def organization_verify(*, actor: User, organization: Organization) -> Organization:
    """Staff confirm an organisation is real; verifying twice changes nothing."""
    return _organization_transition(actor=actor, organization=organization, to=Organization.Status.VERIFIED)


def organization_suspend(*, actor: User, organization: Organization, reason: str) -> Organization:
    reason = clean_text(reason, field="reason", label=_("Reason"), max_length=200)
    return _organization_transition(actor=actor, organization=organization, to=Organization.Status.SUSPENDED, reason=reason)


PUBLIC_PHONE = re.compile(r"^[0-9+()\- ]{5,30}$")


def organization_contact_update(
    *, actor: User, organization: Organization, contact_person: str = "", contact_phone: str = "", contact_address: str = ""
) -> Organization:
    """The organisation's administrator publishes (or, with empty values, withdraws) the contact
    details shown on its public page: a contact person, a phone and an address."""
    if not (actor.is_superuser or is_organization_admin(actor, organization.pk)):
        raise PermissionDenied(_("Only an administrator of this organisation can change its contact details."))
    person = clean_text(contact_person, field="contact_person", label=_("Contact person"), max_length=60, required=False)
    phone = clean_text(contact_phone, field="contact_phone", label=_("Public phone"), max_length=30, required=False)
    address = clean_text(contact_address, field="contact_address", label=_("Public address"), max_length=200, required=False)
    if phone and not PUBLIC_PHONE.match(phone):
        raise ValidationFailed(_("A phone number has digits, spaces, +, - and brackets only."), code="invalid_phone", field="contact_phone")
    Organization.objects.filter(pk=organization.pk).update(contact_person=person, contact_phone=phone, contact_address=address)
    organization.contact_person, organization.contact_phone, organization.contact_address = person, phone, address
    return organization


def organization_member_add(*, actor: User, organization: Organization, user: User) -> OrganizationMember:
    """An organisation's administrator adds a member who may then act for it."""
    if not (actor.is_superuser or is_organization_admin(actor, organization.pk)):
        raise PermissionDenied(_("Only an administrator of this organisation can add its members."))
    already = Conflict(_("This person is already a member of the organisation."), code="already_member")
    if OrganizationMember.objects.filter(organization=organization, user=user).exists():
        raise already
    try:
        with transaction.atomic():
            return OrganizationMember.objects.create(organization=organization, user=user, role=OrganizationMember.Role.MEMBER)
    except IntegrityError:
        raise already from None

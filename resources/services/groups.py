"""社区社会组织: staff record the 备案 of a community group, a lighter check than an agency's
verification (its leader, a note); recording it verifies the group so it can book and be handed rooms."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import annual_reports
from accounts import services as accounts_services
from accounts.models import Organization, OrganizationMember, User
from core.errors import Conflict, PermissionDenied, ValidationFailed
from resources.models import GroupFiling
from resources.services.common import text


def group_file(*, actor: User, organization: Organization, leader: User, note: str = "") -> GroupFiling:
    """Record a community group's 备案 with its leader (one of its members) and verify it; once."""
    if not annual_reports.may_review(actor, organization):
        raise PermissionDenied(_("Only staff of the group's community can record its filing."), code="not_staff")
    if organization.kind != Organization.Kind.COMMUNITY_GROUP:
        raise ValidationFailed(_("Only a community group is filed here; other organisations are verified."), code="not_a_community_group")
    if not OrganizationMember.objects.filter(organization=organization, user=leader).exists():
        raise ValidationFailed(_("The leader must be a member of the group."), code="leader_not_member", field="leader_id")
    note = text(note, field="note", max_length=500, required=False)
    already = Conflict(_("This group's filing is already recorded."), code="already_filed")
    try:
        with transaction.atomic():
            filing = GroupFiling.objects.create(organization=organization, leader=leader, note=note, recorded_by=actor)
            accounts_services.organization_verify(actor=actor, organization=organization)
    except IntegrityError:
        raise already from None
    return filing

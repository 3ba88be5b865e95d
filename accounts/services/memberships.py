"""Communities, the memberships of people in them and invitations to join one."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.models import (
    Community,
    CommunityInvitation,
    District,
    Membership,
    Street,
    User,
)
from accounts.selectors import is_community_staff
from accounts.services.common import clean_text
from accounts.services.notifications import notify
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

__all__ = ["community_create", "membership_join", "membership_add", "invitation_create", "invitation_accept", "invitation_decline", "membership_leave"]


# --- Communities and memberships ---------------------------------------------------------------
def community_create(*, actor: User, name: str, street: str, district: str, description: str = "") -> Community:
    """The district admin creates a community, creating its street and district on first use."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only the district administrator can create communities."))
    name = clean_text(name, field="name", label=_("Community name"), max_length=60)
    street = clean_text(street, field="street", label=_("Street"), max_length=60)
    district = clean_text(district, field="district", label=_("District"), max_length=60)
    try:
        with transaction.atomic():
            district_obj, _created = District.objects.get_or_create(name=district)
            street_obj, _created = Street.objects.get_or_create(district=district_obj, name=street)
            if Community.objects.filter(street=street_obj, name=name).exists():
                raise Conflict(_("This community already exists in that street."), code="community_exists", field="name")
            return Community.objects.create(street=street_obj, name=name, description=description.strip())
    except IntegrityError:
        raise Conflict(_("This community already exists in that street."), code="community_exists", field="name") from None


def _check_role(role: str, allowed: list[str]) -> str:
    if role not in allowed:
        labels = ", ".join(str(Membership.Role(r).label) for r in allowed)
        raise ValidationFailed(_("Unknown role. Choose one of: %(roles)s.") % {"roles": labels}, code="invalid_role", field="role")
    return role


def _membership_create(*, user: User, community: Community, role: str, added_by: User | None) -> Membership:
    if Membership.objects.filter(user=user, community=community, role=role).exists():
        raise Conflict(_("Already a member of this community in that role."), code="already_member")
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, community=community, role=role, added_by=added_by)
    except IntegrityError:
        raise Conflict(_("Already a member of this community in that role."), code="already_member") from None


def membership_join(*, actor: User, community: Community, role: str) -> Membership:
    """A person joins a community as resident or volunteer (not as staff: staff are appointed)."""
    role = _check_role(role, [Membership.Role.RESIDENT, Membership.Role.VOLUNTEER])
    return _membership_create(user=actor, community=community, role=role, added_by=actor)


def membership_add(*, actor: User, community: Community, user: User, role: str) -> "Membership | CommunityInvitation":
    """Staff of the community (or the district admin) add a person in any role, staff included.

    Nobody is pulled into a community without consent: for a person who is not yet a member of
    this community, staff only invite (the ``CommunityInvitation`` is returned, nothing else
    changes until the person accepts). A person already in the community may be given another
    role at once. The district admin adds at once."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can add its members."))
    role = _check_role(role, list(Membership.Role.values))
    if actor.is_superuser or Membership.objects.filter(user=user, community=community).exists():
        return _membership_create(user=user, community=community, role=role, added_by=actor)
    return invitation_create(actor=actor, community=community, user=user, role=role)


def invitation_create(*, actor: User, community: Community, user: User, role: str) -> CommunityInvitation:
    """Invite a person into ``community`` in ``role`` (staff of it only) and tell them. Inviting
    again while an invitation is open returns that one and tells nobody twice."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can add its members."))
    role = _check_role(role, list(Membership.Role.values))
    if Membership.objects.filter(user=user, community=community, role=role).exists():
        raise Conflict(_("Already a member of this community in that role."), code="already_member")
    open_invitation = CommunityInvitation.objects.filter(
        user=user, community=community, role=role, status=CommunityInvitation.Status.PENDING
    ).first()
    if open_invitation is not None:
        return open_invitation
    try:
        with transaction.atomic():
            invitation = CommunityInvitation.objects.create(community=community, user=user, role=role, invited_by=actor)
            notify(
                user=user,
                kind="community_invitation",
                code="community_invitation",
                params={"staff": actor.shown_name, "community": community.name, "role": notices.label(Membership.Role(role))},
                url=reverse("accounts:invitations"),
            )
    except IntegrityError:
        # Two clicks racing: the partial unique index kept one open invitation; return it.
        return CommunityInvitation.objects.get(user=user, community=community, role=role, status=CommunityInvitation.Status.PENDING)
    return invitation


def _own_pending_invitation(*, actor: User, invitation_id: int) -> CommunityInvitation:
    # Someone else's invitation does not exist for the caller (404, not 403).
    invitation = CommunityInvitation.objects.select_related("community", "invited_by").filter(pk=invitation_id, user=actor).first()
    if invitation is None or not actor.is_authenticated:
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    return invitation


def invitation_accept(*, actor: User, invitation_id: int) -> Membership:
    """The invited person accepts: they become a member in the invited role. Staff never make
    someone staff of a community they do not staff themselves: if the inviter is no longer staff
    there, the invitation has lapsed (409 ``invitation_lapsed``)."""
    invitation = _own_pending_invitation(actor=actor, invitation_id=invitation_id)
    with transaction.atomic():
        # Conditional update: of two accepts (or an accept and a decline) racing, one wins.
        if invitation.status != CommunityInvitation.Status.PENDING:
            raise Conflict(_("This invitation was already answered."), code="invitation_answered")
        if not is_community_staff(invitation.invited_by, invitation.community_id):
            raise Conflict(
                _("Whoever invited you is no longer staff of this community, so the invitation has lapsed."), code="invitation_lapsed"
            )
        moved = CommunityInvitation.objects.filter(pk=invitation.pk, status=CommunityInvitation.Status.PENDING).update(
            status=CommunityInvitation.Status.ACCEPTED, decided_at=timezone.now()
        )
        if not moved:
            raise Conflict(_("This invitation was already answered."), code="invitation_answered")
        existing = Membership.objects.filter(user=actor, community_id=invitation.community_id, role=invitation.role).first()
        if existing is not None:
            return existing  # joined by themselves meanwhile: the invitation is simply fulfilled
        return _membership_create(user=actor, community=invitation.community, role=invitation.role, added_by=invitation.invited_by)


def invitation_decline(*, actor: User, invitation_id: int) -> CommunityInvitation:
    """The invited person declines; nothing else changes. Declining twice is harmless."""
    invitation = _own_pending_invitation(actor=actor, invitation_id=invitation_id)
    if invitation.status == CommunityInvitation.Status.DECLINED:
        return invitation
    moved = CommunityInvitation.objects.filter(pk=invitation.pk, status=CommunityInvitation.Status.PENDING).update(
        status=CommunityInvitation.Status.DECLINED, decided_at=timezone.now()
    )
    if not moved:
        raise Conflict(_("This invitation was already answered."), code="invitation_answered")
    invitation.refresh_from_db()
    return invitation


def membership_leave(*, actor: User, membership: Membership) -> None:
    if membership.user_id != actor.pk and not is_community_staff(actor, membership.community_id):
        raise PermissionDenied()
    membership.delete()

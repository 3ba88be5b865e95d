"""Reads for accounts: querysets already joined, filtered through the FilterSets in filters.py."""

from django.db.models import Count, Q, QuerySet

from accounts.filters import CommunityFilter, OrganizationFilter
from accounts.models import Community, Membership, Organization, OrganizationMember, User
from config.filtering import apply_filters


def is_community_staff(user, community_id: int) -> bool:
    """True for the district admin (superuser) and for staff members of that community."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, community_id=community_id, role=Membership.Role.STAFF).exists()


def is_any_staff(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.Role.STAFF).exists()


def has_role(user, community_id: int, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, community_id=community_id, role=role).exists()


def is_organization_admin(user, organization_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return OrganizationMember.objects.filter(
        user=user, organization_id=organization_id, role=OrganizationMember.Role.ADMIN
    ).exists()


def community_list(*, filters: dict | None = None) -> QuerySet[Community]:
    qs = Community.objects.select_related("street__district").annotate(
        member_count=Count("memberships__user", distinct=True)
    ).order_by("street__district__name", "street__name", "name", "id")
    return apply_filters(CommunityFilter, filters, qs)


def community_get(community_id: int) -> Community | None:
    return Community.objects.select_related("street__district").filter(pk=community_id).first()


def community_members(community: Community, *, role: str | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(community=community).select_related("user").order_by("role", "user__username")
    if role:
        qs = qs.filter(role=role)
    return qs


def user_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("community__street__district").order_by("community__name", "role")


def user_organization_memberships(user) -> QuerySet[OrganizationMember]:
    return OrganizationMember.objects.filter(user=user).select_related("organization").order_by("organization__name")


def organization_list(*, filters: dict | None = None, viewer=None) -> QuerySet[Organization]:
    """Verified organisations for everyone; pending and suspended ones also for staff and their own members."""
    qs = (
        Organization.objects.select_related("community")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "id")
    )
    if viewer is None or not viewer.is_authenticated:
        qs = qs.filter(status=Organization.Status.VERIFIED)
    elif not is_any_staff(viewer):
        qs = qs.filter(Q(status=Organization.Status.VERIFIED) | Q(members__user=viewer)).distinct()
    return apply_filters(OrganizationFilter, filters, qs)


def organization_visible_to(organization: Organization, viewer) -> bool:
    if organization.status == Organization.Status.VERIFIED:
        return True
    if not viewer.is_authenticated:
        return False
    if viewer.is_superuser or is_any_staff(viewer):
        return True
    return organization.members.filter(user=viewer).exists()


def organization_members(organization: Organization) -> QuerySet[OrganizationMember]:
    return organization.members.select_related("user").order_by("role", "user__username")


def user_by_username(username: str) -> User | None:
    username = (username or "").strip()
    if not username:
        return None
    return User.objects.filter(username__iexact=username, is_active=True).first()


def user_by_username_or_error(username: str, *, field: str = "username") -> User:
    """For forms that name a person by username: the person, or a 404-type error on that field."""
    from django.utils.translation import gettext as _

    from config.errors import NotFound

    user = user_by_username(username)
    if user is None:
        raise NotFound(_("No such user."), code="user_not_found", field=field)
    return user


def community_role_counts(community: Community) -> dict[str, int]:
    counts = dict.fromkeys(Membership.Role.values, 0)
    for row in Membership.objects.filter(community=community).values("role").annotate(n=Count("id")):
        counts[row["role"]] = row["n"]
    return counts


def user_notifications(user, *, unread_only: bool = False):
    from accounts.models import Notification

    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return user_notifications(user, unread_only=True).count()

"""Reads for accounts: querysets already joined, filtered through the FilterSets in filters.py."""

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.filters import CommunityFilter, OrganizationFilter
from accounts.models import (
    Community,
    CommunityInvitation,
    Guardian,
    Membership,
    Notification,
    Organization,
    OrganizationMember,
    ServiceCard,
    User,
)
from core.errors import NotFound
from core.filtering import apply_filters


def is_community_staff(user, community_id: int) -> bool:
    """True for the district admin (superuser) and for staff members of that community."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, community_id=community_id, role=Membership.Role.STAFF).exists()


def volunteer_memberships(user) -> QuerySet:
    """The person's memberships as a volunteer (who may take a community's tasks and wait for a
    slot): ``is_volunteer_of`` asks it for one community, a query about tasks can ask it per row
    (``Exists(volunteer_memberships(user).filter(community_id=OuterRef("community_id")))``)."""
    return Membership.objects.filter(user=user, role=Membership.Role.VOLUNTEER)


def is_volunteer_of(user, community_id: int) -> bool:
    """True for a volunteer of that community (who may take its tasks and wait for a slot)."""
    if not user.is_authenticated:
        return False
    return volunteer_memberships(user).filter(community_id=community_id).exists()


def with_viewer_staff(qs: QuerySet, viewer, *, community_field: str = "community_id") -> QuerySet:
    """Each row annotated with whether ``viewer`` is staff of its community (the district admin is
    staff everywhere), so a list asks the database once instead of once per row. The rows also
    record for whom they were annotated: ``row_viewer_is_staff`` trusts the answer only for them."""
    if viewer is None or not viewer.is_authenticated:
        return qs
    if viewer.is_superuser:
        is_staff = Value(True)
    else:
        is_staff = Exists(Membership.objects.filter(user=viewer, role=Membership.Role.STAFF, community_id=OuterRef(community_field)))
    return qs.annotate(viewer_is_staff=is_staff, viewer_staff_for=Value(viewer.pk))


def row_viewer_is_staff(row, viewer) -> bool:
    """``is_community_staff(viewer, row.community_id)``, read from ``with_viewer_staff`` when the
    row was annotated for this viewer."""
    if viewer.is_authenticated and getattr(row, "viewer_staff_for", None) == viewer.pk:
        return bool(row.viewer_is_staff)
    return is_community_staff(viewer, row.community_id)


def with_viewer_roles(qs: QuerySet, viewer) -> QuerySet:
    """``with_viewer_staff``, and whether ``viewer`` volunteers in each row's community
    (``volunteer_memberships``): a page about one object that asks both reads them with the object."""
    if viewer is None or not viewer.is_authenticated:
        return qs
    volunteers = Exists(volunteer_memberships(viewer).filter(community_id=OuterRef("community_id")))
    return with_viewer_staff(qs, viewer).annotate(viewer_volunteers=volunteers)


def row_viewer_volunteers(row, viewer) -> bool:
    """``is_volunteer_of(viewer, row.community_id)``, read from ``with_viewer_roles`` when the row
    was annotated for this viewer."""
    if viewer.is_authenticated and getattr(row, "viewer_staff_for", None) == viewer.pk and hasattr(row, "viewer_volunteers"):
        return bool(row.viewer_volunteers)
    return is_volunteer_of(viewer, row.community_id)


def is_any_staff(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.Role.STAFF).exists()


def first_staff_community_id(user) -> int | None:
    """The community whose workbench a staff member sees first (the lowest id they staff)."""
    if not user.is_authenticated:
        return None
    return staff_communities(user).order_by("community_id").values_list("community_id", flat=True).first()


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


def community_get_for(viewer, community_id: int) -> Community:
    """The community (communities are public); else the project's not-found error."""
    community = Community.objects.select_related("street__district").filter(pk=community_id).first()
    if community is None:
        raise NotFound(code="community_not_found")
    return community


def community_members(community: Community, *, role: str | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(community=community).select_related("user").order_by("role", "user__username")
    if role:
        qs = qs.filter(role=role)
    return qs


def user_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("community__street__district").order_by("community__name", "role")


def my_memberships(user) -> list[Membership]:
    """The person's memberships with their communities, read once per request (kept on the user
    object, which lives as long as the request): the navigation, the home page and the board all
    show them. Permission checks do not use it; they ask the database each time."""
    if not user.is_authenticated:
        return []
    kept = getattr(user, "_my_memberships", None)
    if kept is None:
        kept = user._my_memberships = list(user_memberships(user))
    return kept


def my_roles(user) -> list[tuple[str, int]]:
    """(role, community id) of each of the person's memberships, sorted: from ``my_memberships``
    when this request read them already, otherwise two columns only (the navigation of a page that
    shows no membership: a street's worker is staff of a hundred communities)."""
    kept = getattr(user, "_my_memberships", None)
    if kept is not None:
        return sorted((m.role, m.community_id) for m in kept)
    return sorted(Membership.objects.filter(user=user).values_list("role", "community_id"))


def user_pending_invitations(user) -> QuerySet:
    """The invitations into communities the person has not answered yet, newest first."""
    return CommunityInvitation.objects.filter(user=user, status=CommunityInvitation.Status.PENDING).select_related(
        "community", "invited_by"
    )


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


def organization_get_for(viewer, organization_id: int) -> Organization:
    """The organisation if the viewer may know it: a pending one does not exist to outsiders."""
    org = Organization.objects.select_related("community").filter(pk=organization_id).first()
    if org is None or not organization_visible_to(org, viewer):
        raise NotFound(code="organization_not_found")
    return org


def organization_members(organization: Organization) -> QuerySet[OrganizationMember]:
    return organization.members.select_related("user").order_by("role", "user__username")


def user_get_for(viewer, user_id: int) -> User:
    """An active person named by id (a form's ``user_id``); else 404 on that field."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("No such user."), code="user_not_found", field="user_id")
    return user


def community_role_counts(community: Community) -> dict[str, int]:
    counts = dict.fromkeys(Membership.Role.values, 0)
    for row in Membership.objects.filter(community=community).values("role").annotate(n=Count("id")):
        counts[row["role"]] = row["n"]
    return counts


def user_notifications(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return user_notifications(user, unread_only=True).count()


# --- Login lockouts (django-axes) ------------------------------------------------------------------
@dataclass(frozen=True)
class LockedOutAccount:
    user: User
    failures: int
    last_attempt: datetime
    communities: list[str]


def staff_communities(user) -> QuerySet:
    """The one answer to "which communities does this person staff?", as a subquery of community
    ids (``community_id__in=staff_communities(user)``). The district admin's reach is decided by
    the caller (``is_superuser``), not here."""
    return Membership.objects.filter(user=user, role=Membership.Role.STAFF).values("community_id")


def staff_community_ids(user) -> list[int]:
    return list(staff_communities(user).values_list("community_id", flat=True))


def lockout_failure_limit() -> int:
    return get_failure_limit(None, None)


def _locked_out_usernames() -> dict[str, tuple[int, datetime]]:
    """Username (as typed at the login) → (failures, last attempt) for every name django-axes
    refuses right now from some address: its recorded failures from that address within the
    cool-off reach the limit, counted the way axes counts them for the ``["username",
    "ip_address"]`` lockout parameter (accounts/lockout.py)."""
    attempts = AccessAttempt.objects.exclude(username__isnull=True)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    rows = (
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=lockout_failure_limit())
    )
    locked: dict[str, tuple[int, datetime]] = {}
    for row in rows:
        failures, last = locked.get(row["username"], (0, row["last_attempt"]))
        locked[row["username"]] = (max(failures, row["failures"]), max(last, row["last_attempt"]))
    return locked


def locked_out_accounts(viewer) -> list[LockedOutAccount]:
    """The people ``viewer`` may unlock who are locked out now: members of the communities where
    the viewer is staff, everyone for the district admin. Newest lockout first."""
    if not viewer.is_authenticated:
        return []
    locked = _locked_out_usernames()
    if not locked:
        return []
    by_name: dict[str, tuple[int, datetime]] = {}
    for name, (failures, last) in locked.items():
        # "Wang" and "wang" are one account (usernames are unique case-insensitively).
        old_failures, old_last = by_name.get(name.lower(), (0, last))
        by_name[name.lower()] = (max(failures, old_failures), max(last, old_last))
    users = User.objects.annotate(username_lower=Lower("username")).filter(username_lower__in=list(by_name), is_active=True)
    memberships = Membership.objects.select_related("community").order_by("community__name")
    if not viewer.is_superuser:
        community_ids = staff_community_ids(viewer)
        users = users.filter(memberships__community_id__in=community_ids).distinct()
        memberships = memberships.filter(community_id__in=community_ids)
    users = list(users)
    communities: dict[int, list[str]] = {}
    for membership in memberships.filter(user__in=users):
        names = communities.setdefault(membership.user_id, [])
        if membership.community.name not in names:
            names.append(membership.community.name)
    accounts = [
        LockedOutAccount(user, *by_name[user.username.lower()], communities=communities.get(user.pk, [])) for user in users
    ]
    return sorted(accounts, key=lambda account: account.last_attempt, reverse=True)


# --- Service cards and guardians -------------------------------------------------------------------
def card_owner_by_code(code: str):
    """The person whose current service card has this code (typed, with or without its dash, or
    read from the card's QR code); None for a wrong or renewed code."""
    normalized = normalize_card_code(code)
    if len(normalized) != 8:
        return None
    card = ServiceCard.objects.select_related("user").filter(code=normalized, user__is_active=True).first()
    return card.user if card is not None else None


def normalize_card_code(code) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isascii() and ch.isalnum())[:16]


def is_guardian_of(user, resident_id: int | None) -> bool:
    """Whether ``user`` was named a guardian by the resident ``resident_id``."""
    if resident_id is None or not getattr(user, "is_authenticated", False):
        return False
    return Guardian.objects.filter(resident_id=resident_id, guardian_id=user.pk, accepted_at__isnull=False).exists()


def guardians_of(resident) -> QuerySet:
    """The guardians who accepted: they are told of the resident's services and may act for them."""
    return Guardian.objects.filter(resident=resident, accepted_at__isnull=False).select_related("guardian")


def guardian_links_of(resident) -> QuerySet:
    """Every guardian the resident named, accepted or still waiting for the other person's yes."""
    return Guardian.objects.filter(resident=resident).select_related("guardian")


def wards_of(user) -> QuerySet:
    return Guardian.objects.filter(guardian=user, accepted_at__isnull=False).select_related("resident")


def guardian_requests_for(user) -> QuerySet:
    """The residents who named ``user`` their guardian and wait for an answer."""
    return Guardian.objects.filter(guardian=user, accepted_at__isnull=True).select_related("resident")


def with_viewer_guardian(qs: QuerySet, viewer, *, person_field: str = "author_id") -> QuerySet:
    """Each row annotated with whether ``viewer`` is a guardian of the row's person (like
    ``with_viewer_staff``: one query for a list, trusted by ``row_viewer_is_guardian`` for them only)."""
    if viewer is None or not viewer.is_authenticated:
        return qs
    named = Exists(Guardian.objects.filter(guardian_id=viewer.pk, resident_id=OuterRef(person_field), accepted_at__isnull=False))
    return qs.annotate(viewer_is_guardian=named, viewer_guardian_for=Value(viewer.pk))


def row_viewer_is_guardian(row, viewer, person_id: int | None) -> bool:
    """``is_guardian_of(viewer, person_id)``, read from ``with_viewer_guardian`` when the row was
    annotated for this viewer."""
    if viewer.is_authenticated and getattr(row, "viewer_guardian_for", None) == viewer.pk:
        return bool(row.viewer_is_guardian)
    return is_guardian_of(viewer, person_id)


def ward_get_for(viewer, user_id: int) -> User:
    """A person who named ``viewer`` their guardian; else 404 (nobody else learns who named whom)."""
    link = wards_of(viewer).filter(resident_id=user_id).first() if getattr(viewer, "is_authenticated", False) else None
    if link is None:
        raise NotFound(code="user_not_found")
    return link.resident


def is_resident_of(user, community_id: int) -> bool:
    return Membership.objects.filter(user_id=user.pk, community_id=community_id, role=Membership.Role.RESIDENT).exists()


def resident_get_for(viewer, community_id: int, user_id: int) -> User:
    """A resident of the community, for its staff (and the district admin); else 404 (staff of
    another community may not even learn who lives here)."""
    if not (viewer.is_authenticated and is_community_staff(viewer, community_id)):
        raise NotFound(code="user_not_found")
    user = User.objects.filter(
        pk=user_id, is_active=True, memberships__community_id=community_id, memberships__role=Membership.Role.RESIDENT
    ).first()
    if user is None:
        raise NotFound(code="user_not_found")
    return user

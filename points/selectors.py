"""Reads for points: balances, statements, the catalogue, redemptions, a community's totals."""

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Community
from accounts.selectors import is_community_staff, staff_communities
from core.errors import NotFound
from core.filtering import apply_filters
from points.filters import LedgerEntryFilter, RedemptionFilter, RewardFilter
from points.models import AllianceMember, LedgerEntry, LedgerTransaction, PointsAccount, PointsRule, Redemption, Reward


def person_balance(user) -> int:
    """A person's spendable points, summed over the communities that gave them."""
    if not user.is_authenticated:
        return 0
    return PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, user=user).aggregate(total=Sum("balance"))["total"] or 0


def person_balances(user) -> list[PointsAccount]:
    return list(
        PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, user=user).select_related("community").order_by("community__name")
    )


def person_balance_in(user, community: Community) -> int:
    account = PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, user=user, community=community).first()
    return account.balance if account else 0


def spendable_balance_in(user, community: Community) -> int:
    """The points a person may spend in this community's supermarket: theirs here and, 通存通兑,
    theirs in the communities allied with it (points.services.alliances draws on them)."""
    allied = AllianceMember.objects.filter(alliance__members__community=community).values("community_id")
    accounts = PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, user=user)
    return accounts.filter(Q(community=community) | Q(community_id__in=allied)).aggregate(total=Sum("balance"))["total"] or 0


def person_entries(user, *, filters: dict | None = None) -> QuerySet[LedgerEntry]:
    """A person's statement, newest first, each line with the balance after it."""
    qs = (
        LedgerEntry.objects.filter(account__kind=PointsAccount.Kind.PERSON, account__user=user)
        .select_related("transaction", "account__community")
        .order_by("-id")
    )
    return apply_filters(LedgerEntryFilter, filters, qs)


def community_entries(community: Community) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(account__community=community)
        .select_related("transaction", "account__user", "transaction__actor")
        .order_by("-id")
    )


def reward_list(*, filters: dict | None = None, only_available: bool = True) -> QuerySet[Reward]:
    qs = Reward.objects.select_related("community").order_by("community_id", "cost", "name", "id")
    if only_available:
        now = timezone.now()
        qs = qs.filter(is_active=True).filter(Q(active_from__isnull=True) | Q(active_from__lte=now)).filter(
            Q(active_to__isnull=True) | Q(active_to__gt=now)
        )
    return apply_filters(RewardFilter, filters, qs)


def reward_get_for(viewer, reward_id: int) -> Reward:
    """The reward (the catalogue is public); else 404."""
    reward = Reward.objects.select_related("community").filter(pk=reward_id).first()
    if reward is None:
        raise NotFound(code="reward_not_found")
    return reward


def redemption_list(*, viewer, filters: dict | None = None) -> QuerySet[Redemption]:
    """Own redemptions; staff also see their communities' (the district admin sees all)."""
    qs = Redemption.objects.select_related("reward", "user", "community").order_by("-created_at", "-id")
    if not viewer.is_superuser:
        staff_of = staff_communities(viewer)
        qs = qs.filter(Q(user=viewer) | Q(community_id__in=staff_of))
    return apply_filters(RedemptionFilter, filters, qs)


def redemption_visible_to(redemption: Redemption, viewer) -> bool:
    return redemption.user_id == viewer.pk or is_community_staff(viewer, redemption.community_id)


def redemption_get_for(viewer, redemption_id: int, *, community: Community | None = None) -> Redemption:
    """The redemption if it is the viewer's own or their community's (staff), and of ``community``
    where one is given (a counter page); else 404 ``redemption_not_found``."""
    redemption = Redemption.objects.select_related("reward", "user").filter(pk=redemption_id).first()
    if redemption is None or (community is not None and redemption.community_id != community.pk) or not redemption_visible_to(redemption, viewer):
        raise NotFound(code="redemption_not_found")
    return redemption


def community_rule(community: Community) -> PointsRule:
    return PointsRule.objects.filter(community=community).first() or PointsRule(community=community)


def community_summary(community: Community) -> dict:
    """Pool, issued, redeemed and outstanding points of one community, computed in the database."""
    accounts = PointsAccount.objects.filter(community=community)
    pool = accounts.filter(kind=PointsAccount.Kind.POOL).values_list("balance", flat=True).first() or 0
    outstanding = accounts.filter(kind=PointsAccount.Kind.PERSON).aggregate(total=Sum("balance"))["total"] or 0
    redeemed = accounts.filter(kind=PointsAccount.Kind.SINK).values_list("balance", flat=True).first() or 0
    entries = LedgerEntry.objects.filter(account__community=community)
    budgeted = (
        entries.filter(account__kind=PointsAccount.Kind.POOL, transaction__kind=LedgerTransaction.Kind.BUDGET).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    issued = (
        entries.filter(account__kind=PointsAccount.Kind.PERSON, transaction__kind=LedgerTransaction.Kind.AWARD).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    return {
        "community_id": community.pk,
        "pool": pool,
        "budgeted": budgeted,
        "issued": issued,
        "redeemed": redeemed,
        "outstanding": outstanding,
        "reserved_redemptions": Redemption.objects.filter(community=community, status=Redemption.Status.RESERVED).count(),
    }

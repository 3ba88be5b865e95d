"""Points across communities (通存通兑): alliances the district admin makes, the spending plan of a
redemption that draws on a person's points in allied communities, and who owes whom.

Guarantees:
- a redemption paid with points earned in A and spent in B is ONE ledger transaction: the person's
  account in A gives, A's clearing account toward B takes, B's clearing account toward A gives, B's
  sink takes. So every transaction's legs within each community sum to zero (the district's budget
  is the only transaction that crosses into a community), and the two clearing accounts of a pair
  always hold opposite balances: ``points_audit`` proves both;
- the accounts are locked in id order before their balances are read (no deadlock between two
  cross-community redemptions running the other way round);
- the clearing accounts of every ordered pair are created with the alliance, never during a
  redemption, so two redemptions never race to create them.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, User
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from points.models import Alliance, AllianceMember, LedgerEntry, LedgerTransaction, PointsAccount
from points.services.ledger import InsufficientPoints, clearing_account, lock_accounts, person_account, sink_account

__all__ = [
    "MAX_ALLIANCE_SIZE",
    "PairBalance",
    "alliance_balances",
    "alliance_create",
    "alliance_of",
    "allied_communities",
    "may_spend_in",
    "spending_legs",
]

MAX_ALLIANCE_SIZE = 50


def alliance_create(*, actor: User, community_ids: list[int], name: str = "") -> Alliance:
    """The district admin allies two or more communities. A community is in one alliance at most
    (409 ``already_allied``); a community with itself, or alone, is refused (400
    ``alliance_with_itself``). Nothing is written on a refusal."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Only the district administrator can make an alliance of communities."))
    ids = list(community_ids or [])
    if len(set(ids)) != len(ids) or len(ids) < 2:
        raise ValidationFailed(
            _("An alliance needs two or more different communities; a community cannot ally with itself."),
            code="alliance_with_itself", field="community_ids",
        )
    if len(ids) > MAX_ALLIANCE_SIZE:
        raise ValidationFailed(_("An alliance may have at most %(n)d communities.") % {"n": MAX_ALLIANCE_SIZE}, code="too_many", field="community_ids")
    communities = list(Community.objects.filter(pk__in=ids).order_by("pk"))
    if len(communities) != len(ids):
        raise NotFound(_("No such community."), code="community_not_found", field="community_ids")
    name = (name or "").strip()[:120] or "、".join(c.name for c in communities)[:120]
    taken = AllianceMember.objects.filter(community__in=communities).select_related("community").first()
    if taken is not None:
        raise Conflict(_("%(community)s is already in an alliance.") % {"community": taken.community.name}, code="already_allied")
    try:
        with transaction.atomic():
            alliance = Alliance.objects.create(name=name, created_by=actor)
            for community in communities:
                AllianceMember.objects.create(alliance=alliance, community=community)
            # Every ordered pair's clearing account now, in a stable order (see the module's docstring).
            for a in communities:
                for b in communities:
                    if a.pk != b.pk:
                        clearing_account(a, b)
    except IntegrityError:  # the same community allied at the same moment by another request
        raise Conflict(_("One of these communities is already in an alliance."), code="already_allied") from None
    return alliance


def alliance_of(community_id: int) -> Alliance | None:
    member = AllianceMember.objects.filter(community_id=community_id).select_related("alliance").first()
    return member.alliance if member else None


def allied_communities(community_id: int) -> list[int]:
    """The ids of the other communities of its alliance (empty when it has none), in id order."""
    return list(
        AllianceMember.objects.filter(alliance__members__community_id=community_id).exclude(community_id=community_id)
        .order_by("community_id").values_list("community_id", flat=True)
    )


def may_spend_in(user: User, community_id: int) -> bool:
    """A member of the community, or of a community allied with it."""
    return Membership.objects.filter(user=user, community_id__in=[community_id, *allied_communities(community_id)]).exists()


def spending_legs(*, user: User, community: Community, cost: int) -> list[tuple[PointsAccount, int]]:
    """The legs of a payment of ``cost`` points by ``user`` in ``community``'s supermarket: their
    points there first, then their points in allied communities (in community id order) through the
    clearing accounts. Locks every account it may touch (id order) and must run inside the
    caller's transaction. Raises ``InsufficientPoints`` when all of them together hold too little."""
    local, sink = person_account(user, community), sink_account(community)
    allies = allied_communities(community.pk)
    foreign = list(PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, user=user, community_id__in=allies).order_by("community_id"))
    clearings = {}
    for account in foreign:
        clearings[account.community_id] = (
            PointsAccount.objects.get(kind=PointsAccount.Kind.CLEARING, community_id=account.community_id, counterparty=community),
            PointsAccount.objects.get(kind=PointsAccount.Kind.CLEARING, community=community, counterparty_id=account.community_id),
        )
    lock_accounts(local, sink, *foreign, *[c for pair in clearings.values() for c in pair])
    # Balances read after the locks: what is there now, and cannot change until we commit.
    balances = dict(PointsAccount.objects.filter(pk__in=[local.pk, *[a.pk for a in foreign]]).values_list("pk", "balance"))
    legs: list[tuple[PointsAccount, int]] = []
    remaining = cost
    take = min(balances[local.pk], remaining)
    if take > 0:
        legs.append((local, -take))
        remaining -= take
    for account in foreign:
        if remaining == 0:
            break
        take = min(balances[account.pk], remaining)
        if take <= 0:
            continue
        owes, owed = clearings[account.community_id]
        legs += [(account, -take), (owes, take), (owed, -take)]
        remaining -= take
    if remaining > 0:
        raise InsufficientPoints(_("Not enough points."))
    legs.append((sink, cost))
    return legs


@dataclass
class PairBalance:
    community_a_id: int
    community_a: str
    community_b_id: int
    community_b: str
    a_to_b: int  # points earned in A spent in B's supermarket (net of refunds)
    b_to_a: int
    net: int  # a_to_b − b_to_a: above zero, A owes B that many points' worth

    @property
    def debtor_id(self) -> int | None:
        return self.community_a_id if self.net > 0 else self.community_b_id if self.net < 0 else None

    @property
    def creditor_id(self) -> int | None:
        return self.community_b_id if self.net > 0 else self.community_a_id if self.net < 0 else None


def alliance_balances(alliance: Alliance) -> list[PairBalance]:
    """Per pair of the alliance's communities, how many points crossed each way: read from the
    A→B clearing account (its mirror holds the opposite). Two queries, whatever the size."""
    members = list(alliance.members.select_related("community").order_by("community_id"))
    ids = [m.community_id for m in members]
    names = {m.community_id: m.community.name for m in members}
    R, F = LedgerTransaction.Kind.REDEMPTION, LedgerTransaction.Kind.REFUND
    rows = (
        LedgerEntry.objects.filter(account__kind=PointsAccount.Kind.CLEARING, account__community_id__in=ids, account__counterparty_id__in=ids)
        .values("account__community_id", "account__counterparty_id")
        .annotate(
            sent=Sum("amount", filter=Q(transaction__kind=R, amount__gt=0)),
            unsent=Sum("amount", filter=Q(transaction__kind=F, amount__lt=0)),
            received=Sum("amount", filter=Q(transaction__kind=R, amount__lt=0)),
            unreceived=Sum("amount", filter=Q(transaction__kind=F, amount__gt=0)),
        )
    )
    crossed = {
        (r["account__community_id"], r["account__counterparty_id"]): (
            (r["sent"] or 0) + (r["unsent"] or 0), -(r["received"] or 0) - (r["unreceived"] or 0)
        )
        for r in rows
    }
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            a_to_b, b_to_a = crossed.get((a, b), (0, 0))
            pairs.append(PairBalance(a, names[a], b, names[b], a_to_b, b_to_a, a_to_b - b_to_a))
    return pairs

"""Reads for claims, reviews, reputations, bids and contracts (volunteer records are in ``records.selectors``)."""

from decimal import Decimal

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum

from accounts.models import OrganizationMember
from accounts.selectors import is_community_staff, is_guardian_of, staff_communities
from core.errors import NotFound
from core.filtering import apply_filters
from marketplace.models import Task
from orders.filters import ClaimFilter
from orders.models import Bid, Claim, ClaimCorrection, ClaimStatusChange, Contract, Milestone, Review
from orders.scoring import weighted_score

# A Bayesian average: every provider starts with PRIOR_WEIGHT imaginary reviews of PRIOR_STARS,
# so one 5-star (or 1-star) review cannot make a newcomer the best (or worst) in the district.
PRIOR_STARS = Decimal("4.0")
PRIOR_WEIGHT = 5


def _two_places(value) -> Decimal:
    # SQLite's SUM of decimals drops the scale (2 instead of 2.00); show hours the same everywhere.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def claim_list(*, viewer, filters: dict | None = None, own_only: bool = False) -> QuerySet[Claim]:
    """The viewer's own claims; for staff also their communities' claims (the district admin: all)."""
    qs = Claim.objects.select_related("task", "task__community", "user", "organization").order_by("-created_at", "-id")
    if own_only:
        qs = qs.filter(user=viewer)
    elif not viewer.is_superuser:
        staff_of = staff_communities(viewer)
        qs = qs.filter(Q(user=viewer) | Q(task__community_id__in=staff_of))
    return apply_filters(ClaimFilter, filters, qs)


def claim_visible_to(claim: Claim, viewer) -> bool:
    if not viewer.is_authenticated:
        return False
    task = claim.task
    return (
        claim.user_id == viewer.pk
        or task.beneficiary_id == viewer.pk
        or is_community_staff(viewer, task.community_id)
        or is_guardian_of(viewer, task.beneficiary_id)
    )


def claim_get_for(viewer, claim_id: int) -> Claim:
    """The claim, if the viewer may know it exists (claimant, beneficiary, staff); else 404."""
    claim = Claim.objects.select_related("task", "task__community", "user", "organization").filter(pk=claim_id).first()
    if claim is None or not claim_visible_to(claim, viewer):
        raise NotFound(code="claim_not_found")
    return claim


def correction_get_for(viewer, correction_id: int) -> ClaimCorrection:
    """A correction, for its claimant and for staff of the task's community; else 404."""
    correction = ClaimCorrection.objects.select_related("claim", "claim__task", "claim__task__community", "claim__user").filter(pk=correction_id).first()
    if (
        correction is None
        or not viewer.is_authenticated
        or not (correction.claim.user_id == viewer.pk or is_community_staff(viewer, correction.claim.task.community_id))
    ):
        raise NotFound(code="correction_not_found")
    return correction


def corrections_pending(community_ids) -> QuerySet[ClaimCorrection]:
    """Corrections waiting for staff of these communities, oldest first."""
    return (
        ClaimCorrection.objects.filter(claim__task__community_id__in=community_ids, status=ClaimCorrection.Status.PENDING)
        .select_related("claim", "claim__task", "claim__user", "requested_by")
        .order_by("created_at", "id")
    )


def review_queue(community_ids) -> QuerySet[Claim]:
    """Claims waiting for staff: submitted, oldest first, each with ``submitted_at`` (when it
    was submitted, from its history: how long it has waited)."""
    submitted = ClaimStatusChange.objects.filter(claim=OuterRef("pk"), to_status=Claim.Status.SUBMITTED).order_by("-created_at").values("created_at")[:1]
    return (
        Claim.objects.filter(task__community_id__in=community_ids, status=Claim.Status.SUBMITTED)
        .select_related("task", "user", "organization", "confirmed_by")
        .annotate(submitted_at=Subquery(submitted))
        .order_by("created_at", "id")
    )


def bayesian_score(total_stars: int, count: int) -> Decimal | None:
    if not count:
        return None
    return ((PRIOR_STARS * PRIOR_WEIGHT + Decimal(total_stars)) / Decimal(PRIOR_WEIGHT + count)).quantize(Decimal("0.01"))


def provider_reputation(*, user=None, organization=None) -> dict:
    """Score (Bayesian average of visible reviews), review count and verified hours."""
    reviews = Review.objects.filter(hidden=False)
    claims = Claim.objects.filter(status=Claim.Status.VERIFIED)
    if user is not None:
        reviews, claims = reviews.filter(provider=user), claims.filter(user=user)
    else:
        reviews, claims = reviews.filter(organization=organization), claims.filter(organization=organization)
    r = reviews.aggregate(total=Sum("stars"), count=Count("id"), mean=Avg("stars"), by_staff=Count("id", filter=Q(entered_as="staff")))
    h = claims.aggregate(hours=Sum("hours"), credited=Sum("credited_hours"), honour=Sum("honour_hours"), services=Count("id"))
    return {
        "score": bayesian_score(r["total"] or 0, r["count"]),
        "reviews": r["count"],
        "reviews_entered_by_staff": r["by_staff"],  # 代录 for residents without a phone (#22), shown as such
        "average": Decimal(r["mean"]).quantize(Decimal("0.01")) if r["mean"] is not None else None,
        "services": h["services"],
        "hours": _two_places(h["hours"]),
        "credited_hours": _two_places(h["credited"]),
        "honour_hours": _two_places(h["honour"]),
    }


def reviews_of(*, user=None, organization=None, include_hidden: bool = False) -> QuerySet[Review]:
    qs = Review.objects.select_related("claim__task", "author", "entered_by").order_by("-created_at", "-id")
    qs = qs.filter(provider=user) if user is not None else qs.filter(organization=organization)
    return qs if include_hidden else qs.filter(hidden=False)


def contract_tasks(contract) -> QuerySet[Task]:
    """The volunteer tasks posted for a contract's project (``ContractTask``: the link lives in orders,
    so marketplace's ``Task`` names nothing above it)."""
    return Task.objects.filter(contract_link__contract=contract)


# --- Bids: sealed until the deadline ---------------------------------------------------------------
def bids_visible_to(project, viewer) -> QuerySet:
    """The bids of a project this viewer may read. Before the deadline: only their own
    organisation's (not staff's, not other bidders', not the district admin's). After it: staff of
    the community (and the district admin) read all; bidders still only their own."""
    qs = Bid.objects.filter(project=project).select_related("organization").prefetch_related("scores").order_by("created_at", "id")
    if not viewer.is_authenticated:
        return qs.none()
    own = Q(organization__in=OrganizationMember.objects.filter(user=viewer).values("organization_id"))
    if project.bidding_closed() and is_community_staff(viewer, project.community_id):
        return qs
    return qs.filter(own)


def bid_count(project) -> int:
    """How many live bids exist: staff may know this before the deadline, not what they say."""
    if hasattr(project, "live_bid_count"):  # counted in the list's query (marketplace project_list)
        return project.live_bid_count
    return Bid.objects.filter(project=project).exclude(status=Bid.Status.WITHDRAWN).count()


def bid_get_for(viewer, bid_id: int) -> Bid:
    """The bid if the viewer may read it now; a sealed bid does not exist for anyone else (404)."""
    bid = Bid.objects.select_related("project", "organization").filter(pk=bid_id).first()
    if bid is None or not bids_visible_to(bid.project, viewer).filter(pk=bid.pk).exists():
        raise NotFound(code="bid_not_found")
    return bid


def contract_get_for(viewer, contract_id: int) -> Contract:
    """A contract (awarded contracts are public, like the award); else 404."""
    contract = Contract.objects.select_related("project", "organization").filter(pk=contract_id).first()
    if contract is None:
        raise NotFound(code="contract_not_found")
    return contract


def milestone_get_for(viewer, milestone_id: int) -> Milestone:
    """A milestone of a contract; the services decide who may act on it."""
    milestone = Milestone.objects.select_related("contract__project", "contract__organization").filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound(code="milestone_not_found")
    return milestone


def bid_ranking(project) -> list[dict]:
    """After the deadline: live bids with their weighted average score, best first."""
    criteria = list(project.criteria.all())
    bids = Bid.objects.filter(project=project).exclude(status=Bid.Status.WITHDRAWN).select_related("organization").prefetch_related("scores")
    rows = []
    for bid in bids:
        scores = list(bid.scores.all())
        rows.append({"bid": bid, "score": weighted_score(scores, criteria), "scorers": len({s.scorer_id for s in scores})})
    return sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["bid"].amount))


def organization_track_records(organization_ids) -> dict[int, dict]:
    """Per organisation, what it has really delivered (#22): services verified and confirmed by
    the person served, its visible ratings (mean and count) and its completed contracts. Three
    grouped queries whatever the number of organisations, for staff comparing bids."""
    ids = list(set(organization_ids))
    records = {pk: {"services": 0, "reviews": 0, "average": None, "contracts": 0} for pk in ids}
    services = (
        Claim.objects.filter(organization_id__in=ids, status=Claim.Status.VERIFIED, confirmed_at__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    for row in services:
        records[row["organization_id"]]["services"] = row["n"]
    reviews = Review.objects.filter(organization_id__in=ids, hidden=False).values("organization_id").annotate(n=Count("id"), mean=Avg("stars"))
    for row in reviews:
        records[row["organization_id"]].update(reviews=row["n"], average=Decimal(row["mean"]).quantize(Decimal("0.1")))
    contracts = Contract.objects.filter(organization_id__in=ids, status=Contract.Status.COMPLETED).values("organization_id").annotate(n=Count("id"))
    for row in contracts:
        records[row["organization_id"]]["contracts"] = row["n"]
    return records


def my_open_claims(user, now) -> tuple[Claim | None, list[Claim]]:
    """The home page's claims, in one query: (the next task the person holds, which has not ended;
    up to five they checked in to whose task has ended, whose hours wait to be submitted)."""
    claims = list(
        Claim.objects.filter(user=user, status__in=[Claim.Status.CLAIMED, Claim.Status.CHECKED_IN])
        .filter(Q(task__ends_at__gt=now) | Q(status=Claim.Status.CHECKED_IN))
        .select_related("task")
        .order_by("task__starts_at", "id")
    )
    upcoming = next((c for c in claims if c.task.ends_at > now), None)
    return upcoming, [c for c in claims if c.task.ends_at <= now][:5]


def services_waiting_for(user, ward_ids: list[int]) -> tuple[list[Claim], list[Claim]]:
    """Services for the person, or for those who named them their guardian (``ward_ids``), waiting
    for them: (to confirm, to rate), five of each. One small query says which of the two there are,
    so a volunteer who is nobody's beneficiary pays one read, not two with three tables joined."""
    # "beneficiary IN (my id, my wards' ids)" as a list, not a subquery: with a subquery PostgreSQL
    # walked every verified claim of the district newest first (0.5 s at 100,000 tasks); the list
    # uses the task's beneficiary index (0.2 ms).
    served = Claim.objects.filter(task__beneficiary_id__in=[user.pk, *ward_ids])
    to_confirm = Q(task__beneficiary__isnull=False, confirmed_at__isnull=True, status__in=[Claim.Status.CHECKED_IN, Claim.Status.SUBMITTED])
    to_rate = Q(status=Claim.Status.VERIFIED, review__isnull=True)
    waiting = served.filter(to_confirm | to_rate).aggregate(confirm=Count("id", filter=to_confirm), rate=Count("id", filter=to_rate))
    related = ("task", "task__beneficiary", "user")
    confirm = list(served.filter(to_confirm).select_related(*related).order_by("task__starts_at", "id")[:5]) if waiting["confirm"] else []
    rate = list(served.filter(to_rate).select_related(*related).order_by("-verified_at", "-id")[:5]) if waiting["rate"] else []
    return confirm, rate

"""How a bid's scores add up: the weighted total of one scorer, averaged over scorers; and the score
an organisation's track record earns when a project uses it as a criterion (#22)."""

from decimal import ROUND_HALF_UP, Decimal

from marketplace.models import ProjectCriterion
from orders.models import BidScore


def weighted_score(scores: list[BidScore], criteria: list[ProjectCriterion]) -> Decimal | None:
    """The average over scorers of each scorer's weighted total (0–100)."""
    weights = {c.pk: c.weight for c in criteria}
    by_scorer: dict[int, Decimal] = {}
    for s in scores:
        by_scorer[s.scorer_id] = by_scorer.get(s.scorer_id, Decimal(0)) + Decimal(s.score * weights[s.criterion_id]) / 100
    if not by_scorer:
        return None
    return (sum(by_scorer.values()) / len(by_scorer)).quantize(Decimal("0.01"))



# What each part of a track record may earn, out of 100 (shown to staff beside each bid).
SERVICES_MAX, CONTRACT_POINTS, CONTRACTS_MAX, POINTS_PER_STAR = 40, 10, 30, 6


def track_record_score(record: dict) -> dict:
    """0–100 from what an organisation has really delivered: a point per service confirmed by the
    person served (at most 40), ten per completed contract (at most 30) and six per star of its
    average rating (at most 30; nothing before its first review). A newcomer starts at 0 on this
    criterion only; the project's other criteria weigh the rest."""
    services = min(record["services"], SERVICES_MAX)
    contracts = min(record["contracts"] * CONTRACT_POINTS, CONTRACTS_MAX)
    average = record["average"] if record["reviews"] else Decimal(0)
    ratings = int((Decimal(average) * POINTS_PER_STAR).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {"services": services, "contracts": contracts, "ratings": ratings, "total": services + contracts + ratings}

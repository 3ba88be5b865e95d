"""How a bid's scores add up: the weighted total of one scorer, averaged over scorers."""

from decimal import Decimal

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


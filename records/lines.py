"""The volunteer record by the national rules (志愿服务记录与证明出具办法, 民政部令第67号): each
service with its date, place, organiser, category, hours (recorded, measured and honour kept
apart), the kind of beneficiary (never a private person's name) and its evaluation; totals per year
and overall; and the star level (星级) by cumulative recorded hours. See docs/records.md.

The platform records neither training nor honours (表彰): the record says so rather than invent them.
"""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from marketplace.models import Category

# 星级志愿者: the national star rules' cumulative hours for 1★ … 5★.
STAR_THRESHOLDS = (Decimal("100"), Decimal("300"), Decimal("600"), Decimal("1000"), Decimal("1500"))

# The beneficiary as a public document may name it: a kind, never a person.
BENEFICIARY_INDIVIDUAL = "individual"
BENEFICIARY_COMMUNITY = "community"
BENEFICIARY_LABELS = {
    BENEFICIARY_INDIVIDUAL: pgettext_lazy("beneficiary type", "Individual resident"),
    BENEFICIARY_COMMUNITY: pgettext_lazy("beneficiary type", "Community and public"),
}


def star_level(hours) -> int:
    """0 to 5: how many thresholds the cumulative recorded hours reach."""
    hours = Decimal(hours or 0)
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


def next_star(hours) -> Decimal | None:
    """Hours still needed for the next star, or None at five stars."""
    level = star_level(hours)
    if level >= len(STAR_THRESHOLDS):
        return None
    return (STAR_THRESHOLDS[level] - Decimal(hours or 0)).quantize(Decimal("0.01"))


def category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


def beneficiary_label(kind: str) -> str:
    return str(BENEFICIARY_LABELS.get(kind, kind))


def _hours(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def record_line(claim) -> dict:
    """One verified service as the record shows it (claim with task, community and review loaded)."""
    task = claim.task
    review = getattr(claim, "review", None) if _has_review(claim) else None
    return {
        "claim_id": claim.pk,
        "task_id": task.pk,
        "date": timezone.localtime(task.starts_at).date(),
        "title": task.title,
        "place": task.location,
        "organiser": task.community.name,
        "community_id": task.community_id,
        "category": task.category,
        "beneficiary_type": BENEFICIARY_INDIVIDUAL if task.beneficiary_id else BENEFICIARY_COMMUNITY,
        "hours": _hours(claim.hours),
        "credited_hours": _hours(claim.credited_hours),
        "honour_hours": _hours(claim.honour_hours),
        "points": claim.points_awarded,
        "stars": review.stars if review is not None and not review.hidden else None,
    }


def _has_review(claim) -> bool:
    try:
        return claim.review is not None
    except claim.__class__.review.RelatedObjectDoesNotExist:
        return False


def yearly_totals(claims) -> list[dict]:
    """Totals per calendar year (of the service's start, local time), newest year first."""
    rows = (
        claims.order_by()
        .annotate(year=ExtractYear("task__starts_at", tzinfo=timezone.get_current_timezone()))
        .values("year")
        .annotate(services=Count("id"), hours=Sum("hours"), honour=Sum("honour_hours"))
        .order_by("-year")
    )
    return [{"year": r["year"], "services": r["services"], "hours": _hours(r["hours"]), "honour_hours": _hours(r["honour"])} for r in rows]

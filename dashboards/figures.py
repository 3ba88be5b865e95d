"""The figures of the community and district dashboards, computed in the database.

Every figure is an aggregate query (COUNT / SUM with filters, grouped by community or by month):
no Python loop walks records, so a dashboard costs the same few queries at 100 or 100,000 tasks,
and the district table the same six queries for 5 or 500 communities.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community
from core.errors import ValidationFailed
from dashboards import rollups
from dashboards.models import FIGURES
from marketplace.models import Category, Need, Task
from marketplace.selectors import median_days
from orders.models import Review
from points.models import PointsAccount

# A dashboard covers at most five years of months, none before 2000 nor beyond next year: every
# month is an aggregate row, and ?start=1900-01-01 built 1,512 of them (2.4 s) before this bound.
MAX_PERIOD_MONTHS = 60
FIRST_YEAR = 2000


@dataclass
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())

    @classmethod
    def from_query(cls, params) -> "Period":
        """?start=YYYY-MM-DD&end=YYYY-MM-DD; by default the last 12 months up to today."""
        today = timezone.localdate()
        try:
            end = date.fromisoformat(params.get("end", "")) if params.get("end") else today
        except ValueError:
            end = today
        cls(start=end, end=end).check(today)  # before any date arithmetic near the calendar's edges
        try:
            start = date.fromisoformat(params.get("start", "")) if params.get("start") else end.replace(day=1) - timedelta(days=335)
        except ValueError:
            start = end - timedelta(days=365)
        if start > end:
            start, end = end, start
        period = cls(start=start.replace(day=1) if not params.get("start") else start, end=end)
        period.check(today)
        return period

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def check(self, today: date) -> None:
        """Refuse (400 ``invalid_period``) a period a dashboard will not compute."""
        if self.start.year < FIRST_YEAR or self.end.year > today.year + 1:
            raise ValidationFailed(
                _("Choose dates between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": today.year + 1}, code="invalid_period", field="start"
            )
        if self.months > MAX_PERIOD_MONTHS:
            raise ValidationFailed(
                _("A dashboard covers at most %(n)d months; choose a shorter period.") % {"n": MAX_PERIOD_MONTHS}, code="invalid_period", field="start"
            )


def _sum(qs, field) -> int | Decimal:
    return qs.aggregate(total=Sum(field))["total"] or 0


def _resolve_durations(period: Period, community: Community) -> list:
    """How long each need received in the period and resolved took."""
    needs = Need.objects.filter(community=community, created_at__gte=period.since, created_at__lt=period.until)
    return [resolved - created for created, resolved in needs.filter(status=Need.Status.RESOLVED, resolved_at__isnull=False).values_list("created_at", "resolved_at")]


def _rolled(period: Period, community: Community) -> dict:
    return rollups.period_figures(period, community_id=community.pk).get(community.pk) or dict.fromkeys(FIGURES, 0)


def community_page_figures(community: Community, period: Period) -> tuple[dict, dict]:
    """The community dashboard's figures and its needs chart, which show the same rollup row and
    the same resolved needs: each read once."""
    rolled, durations = _rolled(period, community), _resolve_durations(period, community)
    return _community_figures(community, period, rolled, durations), _needs_by_track(rolled, durations)


def community_figures(community: Community, period: Period) -> dict:
    """All the figures of one community's dashboard for a period: the additive ones and the
    distinct volunteers from the rollups (``dashboards.rollups``), the median, the reviews and the
    points held now from the raw tables."""
    return _community_figures(community, period, _rolled(period, community), _resolve_durations(period, community))


def _community_figures(community: Community, period: Period, rolled: dict, durations: list) -> dict:
    since, until = period.since, period.until
    volunteers = rollups.volunteers_active(period, community_id=community.pk).get(community.pk, 0)
    outstanding = _sum(PointsAccount.objects.filter(community=community, kind=PointsAccount.Kind.PERSON), "balance")
    reviews = Review.objects.filter(hidden=False, created_at__gte=since, created_at__lt=until).filter(
        Q(claim__task__community=community) | Q(contract__project__community=community)
    )
    score = reviews.aggregate(avg=Avg("stars"), n=Count("id"))
    return {
        "needs_received": rolled["needs_received"],
        "needs_major": rolled["needs_major"],
        "needs_minor": rolled["needs_minor"],
        "needs_private": rolled["needs_private"],
        "needs_resolved": rolled["needs_resolved"],
        "median_days_to_resolve": median_days(durations),
        "tasks_published": rolled["tasks_published"],
        "tasks_filled": rolled["tasks_filled"],
        "tasks_done": rolled["tasks_done"],
        "volunteers_active": volunteers,
        "hours_recorded": rollups.hours(rolled["hours_hundredths"]),
        "hours_honour": rollups.hours(rolled["honour_hundredths"]),
        "points_budgeted": rolled["points_budgeted"],
        "points_awarded": rolled["points_awarded"],
        "points_conduct": rolled["points_conduct"],
        "points_redeemed": rolled["points_redeemed"],
        "points_outstanding": outstanding,
        "donations_raised": rolled["donations_gross"] - rolled["donations_refunded"],
        "donations_spent": rolled["donations_spent"],
        "review_average": Decimal(score["avg"]).quantize(Decimal("0.01")) if score["avg"] is not None else None,
        "reviews": score["n"],
    }


def _month_starts(period: Period) -> list[date]:
    months, cursor = [], period.start.replace(day=1)
    while cursor <= period.end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def monthly_series(community: Community | None, period: Period) -> list[dict]:
    """Per calendar month the period touches (each month whole): tasks published, services
    verified and hours recorded, needs received, points, donations; read from the rollups."""
    months = _month_starts(period)
    whole = Period(start=months[0], end=(months[-1] + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    per_month = {m: dict.fromkeys(FIGURES, 0) for m in months}
    for month, figures in rollups.period_figures(whole, community_id=None if community is None else community.pk, by_month=True, by_community=False).items():
        total = per_month[month]
        for name in FIGURES:
            total[name] += figures[name]
    return [
        {
            "month": m,
            "tasks": f["tasks_published"],
            "services": f["services"],
            # The hours recorded at verification (after any approved correction), never the measured ones.
            "hours": rollups.hours(f["hours_hundredths"]),
            "needs": f["needs_received"],
            "points_awarded": f["points_awarded"],
            "points_redeemed": f["points_redeemed"],
            "donations_raised": f["donations_gross"] - f["donations_refunded"],
            "donations_spent": f["donations_spent"],
        }
        for m, f in per_month.items()
    ]


def _needs_by_track(rolled: dict, durations: list) -> dict:
    """Needs received in the period per track (untriaged ones apart), and how long the resolved
    ones took (a list of durations, for the resolution-time chart)."""
    tracks = {"major": "needs_major", "minor": "needs_minor", "private": "needs_private", "": "needs_untriaged"}
    return {"tracks": {track: rolled[name] for track, name in tracks.items() if rolled[name]}, "durations": durations}


def top_categories(community: Community | None, period: Period, limit: int = 5) -> list[dict]:
    qs = Task.objects.filter(created_at__gte=period.since, created_at__lt=period.until).filter(published_at__isnull=False)
    if community is not None:
        qs = qs.filter(community=community)
    rows = qs.values("category").annotate(n=Count("id")).order_by("-n", "category")[:limit]
    labels = dict(Category.choices)
    return [{"category": r["category"], "label": labels.get(r["category"], r["category"]), "tasks": r["n"]} for r in rows]


DISTRICT_COLUMNS = [
    "needs_received", "needs_resolved", "tasks_published", "tasks_done", "volunteers_active", "hours_recorded",
    "points_awarded", "points_conduct", "points_redeemed", "donations_raised", "donations_spent",
]


def _grouped(qs, community_field: str, **aggregates) -> dict[int, dict]:
    """One GROUP BY query: {community_id: {figure: value}}."""
    return {row.pop("cid"): row for row in qs.order_by().values(cid=F(community_field)).annotate(**aggregates)}


def district_rows(period: Period, *, sort: str = "name") -> tuple[list[dict], dict]:
    """One row per community with the main figures, side by side, plus the district's sums: the
    rollups of the period (sums, and distinct volunteers over the volunteer months), whatever the
    number of communities."""
    rolled = rollups.period_figures(period)
    volunteers = rollups.volunteers_active(period)
    rows = []
    for c in Community.objects.select_related("street").order_by("street__name", "name"):
        f = rolled.get(c.pk) or dict.fromkeys(FIGURES, 0)
        row = {"community_id": c.pk, "name": c.name, "street": c.street.name, **{column: f[column] for column in DISTRICT_COLUMNS if column in f}}
        row["volunteers_active"] = volunteers.get(c.pk, 0)
        row["hours_recorded"] = rollups.hours(f["hours_hundredths"])
        row["donations_raised"] = f["donations_gross"] - f["donations_refunded"]
        rows.append(row)
    key = sort.lstrip("-")
    if key == "hours_credited":  # links made before the column was the recorded hours
        key = "hours_recorded"
    if key in DISTRICT_COLUMNS or key in ("name", "street"):
        rows.sort(key=lambda r: r[key], reverse=sort.startswith("-"))
    totals = {column: sum(r[column] for r in rows) for column in DISTRICT_COLUMNS}
    return rows, totals


def bar_chart(series: list[dict], key: str, *, height: int = 120, bar: int = 22, gap: int = 8) -> dict:
    """Geometry for a small server-rendered SVG bar chart (the template draws it; a table behind
    it gives the same numbers to screen readers and to people who prefer numbers)."""
    peak = max((float(row[key]) for row in series), default=0) or 1
    bars = []
    for i, row in enumerate(series):
        value = float(row[key])
        h = round(value / peak * (height - 20))
        bars.append({"x": i * (bar + gap), "y": height - h, "height": h, "value": row[key], "label": row["month"].strftime("%m")})
    return {"bars": bars, "width": max(1, len(series) * (bar + gap)), "height": height + 16, "bar": bar}

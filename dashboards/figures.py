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
from deliberation.services import CONDUCT_MEMO
from funds.models import Donation, Spending
from marketplace.models import Category, Need, Task
from marketplace.selectors import median_days
from orders.models import Claim, Review
from points.models import LedgerEntry, LedgerTransaction, PointsAccount

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


def _median_days_of(needs) -> float | None:
    return median_days([resolved - created for created, resolved in needs.values_list("created_at", "resolved_at")])


def community_figures(community: Community, period: Period) -> dict:
    """All the figures of one community's dashboard for a period."""
    since, until = period.since, period.until
    needs = Need.objects.filter(community=community, created_at__gte=since, created_at__lt=until)
    need_counts = needs.aggregate(
        received=Count("id"),
        major=Count("id", filter=Q(track=Need.Track.MAJOR)),
        minor=Count("id", filter=Q(track=Need.Track.MINOR)),
        private=Count("id", filter=Q(track=Need.Track.PRIVATE)),
        resolved=Count("id", filter=Q(status=Need.Status.RESOLVED)),
    )
    tasks = Task.objects.filter(community=community, created_at__gte=since, created_at__lt=until).filter(published_at__isnull=False)
    task_counts = tasks.aggregate(
        published=Count("id"),
        filled=Count("id", filter=Q(slots_taken__gte=F("slots"))),
        done=Count("id", filter=Q(status=Task.Status.DONE)),
    )
    verified = Claim.objects.filter(task__community=community, status=Claim.Status.VERIFIED, verified_at__gte=since, verified_at__lt=until)
    claim_counts = verified.aggregate(
        volunteers=Count("user", distinct=True), recorded=Sum("hours"), honour=Sum("honour_hours")
    )
    entries = LedgerEntry.objects.filter(account__community=community, created_at__gte=since, created_at__lt=until)
    points = entries.aggregate(
        budgeted=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.POOL, transaction__kind=LedgerTransaction.Kind.BUDGET)),
        awarded=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.PERSON, transaction__kind=LedgerTransaction.Kind.AWARD)),
        # Conduct awards (积分制, deliberation) are awards too; the district sees them apart from service points.
        conduct=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.PERSON, transaction__memo_code=CONDUCT_MEMO)),
        redeemed=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.SINK)),
    )
    outstanding = _sum(PointsAccount.objects.filter(community=community, kind=PointsAccount.Kind.PERSON), "balance")
    gifts = Donation.objects.filter(community=community, status__in=["succeeded", "refunded"], created_at__gte=since, created_at__lt=until)
    raised = gifts.aggregate(gross=Sum("amount"), refunded=Sum("refunded_amount"))
    spent = _sum(Spending.objects.filter(community=community, spent_on__gte=period.start, spent_on__lte=period.end), "amount")
    reviews = Review.objects.filter(hidden=False, created_at__gte=since, created_at__lt=until).filter(
        Q(claim__task__community=community) | Q(contract__project__community=community)
    )
    score = reviews.aggregate(avg=Avg("stars"), n=Count("id"))
    return {
        "needs_received": need_counts["received"],
        "needs_major": need_counts["major"],
        "needs_minor": need_counts["minor"],
        "needs_private": need_counts["private"],
        "needs_resolved": need_counts["resolved"],
        "median_days_to_resolve": _median_days_of(needs.filter(status=Need.Status.RESOLVED, resolved_at__isnull=False)),
        "tasks_published": task_counts["published"],
        "tasks_filled": task_counts["filled"],
        "tasks_done": task_counts["done"],
        "volunteers_active": claim_counts["volunteers"],
        "hours_recorded": Decimal(claim_counts["recorded"] or 0).quantize(Decimal("0.01")),
        "hours_honour": Decimal(claim_counts["honour"] or 0).quantize(Decimal("0.01")),
        "points_budgeted": points["budgeted"] or 0,
        "points_awarded": points["awarded"] or 0,
        "points_conduct": points["conduct"] or 0,
        "points_redeemed": points["redeemed"] or 0,
        "points_outstanding": outstanding,
        "donations_raised": (raised["gross"] or 0) - (raised["refunded"] or 0),
        "donations_spent": spent,
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
    """Per month: tasks published, services verified and hours recorded, needs received.

    One scan per kind of record with a filtered COUNT/SUM per month (plain comparisons on the
    timestamps, in the site's time zone), instead of truncating every row's date, which SQLite
    would do row by row in Python."""
    tz = timezone.get_current_timezone()
    months = _month_starts(period)
    bounds = [datetime.combine(m, time.min, tzinfo=tz) for m in months]
    bounds.append(datetime.combine((months[-1] + timedelta(days=32)).replace(day=1), time.min, tzinfo=tz))

    def per_month(qs, field, prefix, agg=Count, target="id"):
        aggregates = {
            f"{prefix}{i}": agg(target, filter=Q(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]})) for i in range(len(months))
        }
        return qs.aggregate(**aggregates)

    scope = {} if community is None else {"community": community}
    claim_scope = {} if community is None else {"task__community": community}
    tasks = per_month(Task.objects.filter(**scope).filter(published_at__isnull=False), "created_at", "t")
    verified = Claim.objects.filter(status=Claim.Status.VERIFIED, **claim_scope)
    services = per_month(verified, "verified_at", "s")
    # The hours recorded at verification (after any approved correction), never the measured ones.
    hours = per_month(verified, "verified_at", "h", agg=Sum, target="hours")
    needs = per_month(Need.objects.filter(**scope), "created_at", "n")
    account_scope = {"account__community__isnull": False} if community is None else {"account__community": community}
    entries = LedgerEntry.objects.filter(**account_scope)
    awarded = per_month(
        entries.filter(account__kind=PointsAccount.Kind.PERSON, transaction__kind=LedgerTransaction.Kind.AWARD), "created_at", "pa", agg=Sum, target="amount"
    )
    redeemed = per_month(entries.filter(account__kind=PointsAccount.Kind.SINK), "created_at", "pr", agg=Sum, target="amount")
    gifts = Donation.objects.filter(status__in=["succeeded", "refunded"], **scope)
    gross = per_month(gifts, "created_at", "dg", agg=Sum, target="amount")
    refunded = per_month(gifts, "created_at", "dr", agg=Sum, target="refunded_amount")
    # Spending is dated by the day it was spent (a date, not a moment).
    day_bounds = [*months, (months[-1] + timedelta(days=32)).replace(day=1)]
    spent = Spending.objects.filter(**scope).aggregate(
        **{f"sp{i}": Sum("amount", filter=Q(spent_on__gte=day_bounds[i], spent_on__lt=day_bounds[i + 1])) for i in range(len(months))}
    )
    return [
        {
            "month": m,
            "tasks": tasks[f"t{i}"],
            "services": services[f"s{i}"],
            "hours": Decimal(hours[f"h{i}"] or 0).quantize(Decimal("0.01")),
            "needs": needs[f"n{i}"],
            "points_awarded": awarded[f"pa{i}"] or 0,
            "points_redeemed": redeemed[f"pr{i}"] or 0,
            "donations_raised": (gross[f"dg{i}"] or 0) - (refunded[f"dr{i}"] or 0),
            "donations_spent": spent[f"sp{i}"] or 0,
        }
        for i, m in enumerate(months)
    ]


def needs_by_track(community: Community, period: Period) -> dict:
    """Needs received in the period per track (untriaged ones apart), and how long the resolved
    ones took (a list of durations, for the resolution-time chart)."""
    needs = Need.objects.filter(community=community, created_at__gte=period.since, created_at__lt=period.until)
    counts = dict(needs.order_by().values_list("track").annotate(n=Count("id")))
    durations = [
        resolved - created
        for created, resolved in needs.filter(status=Need.Status.RESOLVED, resolved_at__isnull=False).values_list("created_at", "resolved_at")
    ]
    return {"tracks": counts, "durations": durations}


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
    """One row per community with the main figures, side by side, plus the district's sums.
    Six grouped queries (one per kind of record), whatever the number of communities."""
    since, until = period.since, period.until
    needs = _grouped(
        Need.objects.filter(created_at__gte=since, created_at__lt=until), "community_id",
        needs_received=Count("id"), needs_resolved=Count("id", filter=Q(status=Need.Status.RESOLVED)),
    )
    tasks = _grouped(
        Task.objects.filter(created_at__gte=since, created_at__lt=until).filter(published_at__isnull=False), "community_id",
        tasks_published=Count("id"), tasks_done=Count("id", filter=Q(status=Task.Status.DONE)),
    )
    claims = _grouped(
        Claim.objects.filter(status=Claim.Status.VERIFIED, verified_at__gte=since, verified_at__lt=until), "task__community_id",
        volunteers_active=Count("user", distinct=True), hours_recorded=Sum("hours"),
    )
    ledger = _grouped(
        LedgerEntry.objects.filter(created_at__gte=since, created_at__lt=until, account__community__isnull=False), "account__community_id",
        points_awarded=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.PERSON, transaction__kind=LedgerTransaction.Kind.AWARD)),
        points_conduct=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.PERSON, transaction__memo_code=CONDUCT_MEMO)),
        points_redeemed=Sum("amount", filter=Q(account__kind=PointsAccount.Kind.SINK)),
    )
    gifts = _grouped(
        Donation.objects.filter(created_at__gte=since, created_at__lt=until, status__in=["succeeded", "refunded"]), "community_id",
        gross=Sum("amount"), refunded=Sum("refunded_amount"),
    )
    spent = _grouped(Spending.objects.filter(spent_on__gte=period.start, spent_on__lte=period.end), "community_id", donations_spent=Sum("amount"))
    rows = []
    for c in Community.objects.select_related("street").order_by("street__name", "name"):
        row = {"community_id": c.pk, "name": c.name, "street": c.street.name}
        for source in (needs, tasks, claims, ledger, spent):
            row.update(source.get(c.pk, {}))
        gift = gifts.get(c.pk, {})
        row["donations_raised"] = (gift.get("gross") or 0) - (gift.get("refunded") or 0)
        for column in DISTRICT_COLUMNS:
            row[column] = row.get(column) or 0
        row["hours_recorded"] = Decimal(row["hours_recorded"]).quantize(Decimal("0.01"))
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

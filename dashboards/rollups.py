"""Reading, recounting and rebuilding the rollups: per community per month (``CommunityMonth``),
and per community, month and volunteer (``VolunteerMonth``).

The dashboards read whole months from the rollups; a month the period covers only in part is read
from the rollup too when every row it counts lies inside the period (its ``first_day`` and
``last_day``), else recounted from the raw tables for that part only. ``recount`` is the
definition of every figure in the ORM, independent of the triggers' SQL (``rollup_sql.py``):
``manage.py rollup_audit`` compares the two.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from dashboards.models import FIGURES, CommunityMonth, VolunteerMonth
from dashboards.rollup_sql import SOURCES
from deliberation.services import CONDUCT_MEMO
from funds.models import Donation, Spending
from marketplace.models import Need, Task
from orders.models import Claim
from points.models import LedgerEntry, LedgerTransaction, PointsAccount

HUNDREDTHS = {"hours_hundredths", "honour_hundredths"}


def _sources():
    """(queryset, community field, date field, is a moment, aggregates) per kind of record."""
    person, pool, sink = PointsAccount.Kind.PERSON, PointsAccount.Kind.POOL, PointsAccount.Kind.SINK
    return [
        (Need.objects.all(), "community_id", "created_at", True, {
            "needs_received": Count("id"),
            "needs_resolved": Count("id", filter=Q(status=Need.Status.RESOLVED)),
            "needs_major": Count("id", filter=Q(track=Need.Track.MAJOR)),
            "needs_minor": Count("id", filter=Q(track=Need.Track.MINOR)),
            "needs_private": Count("id", filter=Q(track=Need.Track.PRIVATE)),
            "needs_untriaged": Count("id", filter=Q(track="")),
        }),
        (Task.objects.filter(published_at__isnull=False), "community_id", "created_at", True, {
            "tasks_published": Count("id"),
            "tasks_filled": Count("id", filter=Q(slots_taken__gte=F("slots"))),
            "tasks_done": Count("id", filter=Q(status=Task.Status.DONE)),
        }),
        (Claim.objects.filter(status=Claim.Status.VERIFIED, verified_at__isnull=False), "task__community_id", "verified_at", True, {
            "services": Count("id"), "hours_hundredths": Sum("hours"), "honour_hundredths": Sum("honour_hours"),
        }),
        (LedgerEntry.objects.filter(account__community__isnull=False, account__kind__in=[pool, person, sink]), "account__community_id", "created_at", True, {
            "points_budgeted": Sum("amount", filter=Q(account__kind=pool, transaction__kind=LedgerTransaction.Kind.BUDGET)),
            "points_awarded": Sum("amount", filter=Q(account__kind=person, transaction__kind=LedgerTransaction.Kind.AWARD)),
            "points_conduct": Sum("amount", filter=Q(account__kind=person, transaction__memo_code=CONDUCT_MEMO)),
            "points_redeemed": Sum("amount", filter=Q(account__kind=sink)),
        }),
        (Donation.objects.filter(status__in=["succeeded", "refunded"]), "community_id", "created_at", True, {
            "donations_gross": Sum("amount"), "donations_refunded": Sum("refunded_amount"),
        }),
        (Spending.objects.all(), "community_id", "spent_on", False, {"donations_spent": Sum("amount")}),
    ]  # fmt: skip


def _number(name: str, value) -> int:
    if value is None:
        return 0
    if name in HUNDREDTHS:
        return int((Decimal(value) * 100).quantize(Decimal("1")))
    return int(value)


def _as_date(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def recount(*, since=None, until=None, community_ids=None, by_month: bool = True) -> dict:
    """The figures from the raw tables: {(community_id, month): {figure: n, "first_day", "last_day"}}
    (month None unless ``by_month``), for rows dated in [since, until) (local datetimes)."""
    out: dict = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for qs, community, dated, moment, aggregates in _sources():
        if since is not None:
            qs = qs.filter(**{f"{dated}__gte": since if moment else since.date()})
        if until is not None:
            qs = qs.filter(**{f"{dated}__lt": until if moment else until.date()})
        if community_ids is not None:
            qs = qs.filter(**{f"{community}__in": community_ids})
        day = TruncDate(dated) if moment else F(dated)
        keys = {"cid": F(community), **({"m": TruncMonth(dated)} if by_month else {})}
        for row in qs.order_by().values(**keys).annotate(**aggregates, lo=Min(day), hi=Max(day)):
            if row["cid"] is None:
                continue
            key = (row["cid"], _as_date(row["m"]).replace(day=1) if by_month else None)
            figures = out[key]
            for name in aggregates:
                figures[name] += _number(name, row[name])
            lo, hi = _as_date(row["lo"]), _as_date(row["hi"])
            figures["first_day"] = min(figures.get("first_day", lo), lo)
            figures["last_day"] = max(figures.get("last_day", hi), hi)
    return dict(out)


def recount_volunteers(*, since=None, until=None, community_ids=None) -> dict:
    """Who served where and when, from the claims: {(community_id, month, user_id): {"services",
    "first_day", "last_day"}}."""
    qs = Claim.objects.filter(status=Claim.Status.VERIFIED, verified_at__isnull=False)
    if since is not None:
        qs = qs.filter(verified_at__gte=since)
    if until is not None:
        qs = qs.filter(verified_at__lt=until)
    if community_ids is not None:
        qs = qs.filter(task__community_id__in=community_ids)
    rows = qs.order_by().values(cid=F("task__community_id"), m=TruncMonth("verified_at"), uid=F("user_id"))
    return {
        (row["cid"], _as_date(row["m"]).replace(day=1), row["uid"]): {
            "services": row["n"], "first_day": _as_date(row["lo"]), "last_day": _as_date(row["hi"]),
        }
        for row in rows.annotate(n=Count("id"), lo=Min(TruncDate("verified_at")), hi=Max(TruncDate("verified_at")))
    }  # fmt: skip


def _month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _local(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def period_figures(period, *, community_id: int | None = None, by_month: bool = False, by_community: bool = True) -> dict:
    """The rollup figures of a period: {community_id: {figure: n}}, or with ``by_month``
    {(community_id, month): {figure: n}}, or with ``by_community=False`` too {month: {figure: n}}. Whole months come from the rollups; a month cut by the
    period's start or end from its rollup when all the rows it counts lie inside the period,
    else from the raw tables for the part inside the period only. Summed in the database: one
    grouped query, and a second that lists the rows to recount (none for the default period)."""
    first, last = period.start.replace(day=1), period.end.replace(day=1)
    rows = CommunityMonth.objects.filter(month__gte=first, month__lte=last)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    # A month is whole when it starts on or after the period's start and ends by its end.
    inside = _inside(period)
    group = ("community_id",) * by_community + ("month",) * by_month

    def key(cid, month):
        return (cid, month) if by_community and by_month else cid if by_community else month

    out: dict = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for row in rows.filter(inside).order_by().values(*group).annotate(**{f"s_{name}": Sum(name) for name in FIGURES}):
        out[key(row.get("community_id"), row.get("month"))] = {name: row[f"s_{name}"] for name in FIGURES}
    to_recount: dict[date, list[int]] = defaultdict(list)
    for cid, month in rows.filter(month__in={first, last}).exclude(inside).values_list("community_id", "month"):  # only the cut months
        to_recount[month].append(cid)
    for month, cids in to_recount.items():
        since, until = _local(max(month, period.start)), _local(min(_month_after(month), period.end + timedelta(days=1)))
        for (cid, _none), counted in recount(since=since, until=until, community_ids=cids, by_month=False).items():
            figures = out[key(cid, month)]
            for name in FIGURES:
                figures[name] += counted[name]
    return out


def _inside(period) -> Q:
    """Rollup rows a period reads whole: its whole months, and rows of a cut month that lie inside."""
    whole = Q(month__gte=period.start, month__lt=(period.end + timedelta(days=1)).replace(day=1))
    return whole | Q(first_day__gte=period.start, last_day__lte=period.end)


def volunteers_active(period, *, community_id: int | None = None) -> dict[int, int]:
    """{community_id: people with a service verified in the period}, counted over the volunteer
    months; a community with a cut month whose rows are not all inside the period is counted from
    the claims for the whole period instead (distinct people do not add up month by month)."""
    first, last = period.start.replace(day=1), period.end.replace(day=1)
    rows = VolunteerMonth.objects.filter(month__gte=first, month__lte=last, services__gt=0)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    inside = _inside(period)
    raw = set(rows.filter(month__in={first, last}).exclude(inside).values_list("community_id", flat=True))
    # The distinct (community, volunteer) pairs, then a count per community: hashed, where
    # COUNT(DISTINCT) sorted its 65,000 rows on disk at district scale.
    pairs = rows.filter(inside).exclude(community_id__in=raw).order_by().values("community_id", "user_id").distinct()
    sql, params = pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT community_id, COUNT(*) FROM ({sql}) AS pairs GROUP BY community_id", params)
        out = dict(cursor.fetchall())
    if raw:
        claims = Claim.objects.filter(
            status=Claim.Status.VERIFIED, verified_at__gte=_local(period.start), verified_at__lt=_local(period.end + timedelta(days=1)), task__community_id__in=raw
        )
        out.update({row["cid"]: row["n"] for row in claims.order_by().values(cid=F("task__community_id")).annotate(n=Count("user_id", distinct=True))})
    return out


def hours(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def differences() -> list[str]:
    """What differs between the rollups and a recount from the raw tables (empty: none)."""
    counted = recount()
    stored = {(r["community_id"], r["month"]): r for r in CommunityMonth.objects.values("community_id", "month", "first_day", "last_day", *FIGURES)}
    problems = []
    for key in sorted(set(counted) | set(stored), key=lambda k: (k[0], k[1])):
        cid, month = key
        want, have = counted.get(key), stored.get(key)
        for name in FIGURES:
            expected, actual = (want or {}).get(name, 0), (have or {}).get(name, 0)
            if expected != actual:
                problems.append(f"community #{cid} {month:%Y-%m} {name}: rollup {actual}, recount {expected}")
        if want and have and (have["first_day"] > want["first_day"] or have["last_day"] < want["last_day"]):
            problems.append(
                f"community #{cid} {month:%Y-%m} days: rollup {have['first_day']}..{have['last_day']} does not cover {want['first_day']}..{want['last_day']}"
            )
        elif want and not have:
            problems.append(f"community #{cid} {month:%Y-%m}: no rollup row")
    counted_people = recount_volunteers()
    stored_people = {(r["community_id"], r["month"], r["user_id"]): r for r in VolunteerMonth.objects.values("community_id", "month", "user_id", "services", "first_day", "last_day")}
    for key in sorted(set(counted_people) | set(stored_people)):
        cid, month, uid = key
        want, have = counted_people.get(key), stored_people.get(key)
        if (want or {}).get("services", 0) != (have or {}).get("services", 0):
            problems.append(f"community #{cid} {month:%Y-%m} volunteer #{uid} services: rollup {(have or {}).get('services', 0)}, recount {(want or {}).get('services', 0)}")
        elif want and (have["first_day"] > want["first_day"] or have["last_day"] < want["last_day"]):
            problems.append(f"community #{cid} {month:%Y-%m} volunteer #{uid} days: rollup {have['first_day']}..{have['last_day']} does not cover {want['first_day']}..{want['last_day']}")
    return problems


def rebuild() -> int:
    """Rewrite every rollup row from a recount; writers of the counted tables wait (PostgreSQL)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(s.table for s in SOURCES)} IN SHARE MODE")
        CommunityMonth.objects.all().delete()
        rows = [CommunityMonth(community_id=cid, month=month, **figures) for (cid, month), figures in recount().items()]
        CommunityMonth.objects.bulk_create(rows, batch_size=2000)
        VolunteerMonth.objects.all().delete()
        people = [VolunteerMonth(community_id=cid, month=month, user_id=uid, **figures) for (cid, month, uid), figures in recount_volunteers().items()]
        VolunteerMonth.objects.bulk_create(people, batch_size=5000)
    return len(rows) + len(people)

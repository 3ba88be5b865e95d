"""Reads of what was done: a volunteer's record (who may see it, its totals and summary), a
community's verified services and volunteers (the national export), and certificates by their code."""

from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from accounts.models import Membership, User
from accounts.selectors import staff_communities
from accounts.volunteers import volunteer_no_of
from core.errors import NotFound
from orders.models import Claim
from records.lines import next_star, star_level, yearly_totals
from records.models import Certificate


def _two_places(value) -> Decimal:
    # SQLite's SUM of decimals drops the scale (2 instead of 2.00); show hours the same everywhere.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def volunteer_record(user) -> QuerySet[Claim]:
    """A volunteer's verified service, newest first."""
    return (
        Claim.objects.filter(user=user, status=Claim.Status.VERIFIED)
        .select_related("task", "task__community", "organization", "review")
        .order_by("-task__starts_at", "-id")
    )


def volunteer_record_totals(user, *, year: int | None = None) -> dict:
    """The record's totals; with ``year``, also the hours of tasks that started that year (the
    home page's "hours this year"), in the same query."""
    sums = {
        "all_hours": Sum("hours"), "credited": Sum("credited_hours"), "honour": Sum("honour_hours"), "points": Sum("points_awarded"),
        "services": Count("id"),
    }
    if year is not None:
        sums["year_hours"] = Sum("hours", filter=Q(task__starts_at__year=year))
    totals = volunteer_record(user).aggregate(**sums)
    result = {
        "services": totals["services"],
        "hours": _two_places(totals["all_hours"]),
        "credited_hours": _two_places(totals["credited"]),
        "honour_hours": _two_places(totals["honour"]),
        "points": totals["points"] or 0,
    }
    if year is not None:
        result["year_hours"] = _two_places(totals["year_hours"])
    return result


def volunteer_record_summary(user) -> dict:
    """What the record adds to the totals: the volunteer number, the star level by cumulative
    recorded hours (and hours to the next star), and totals per year."""
    totals = volunteer_record_totals(user)
    return {
        **totals,
        "volunteer_no": volunteer_no_of(user),
        "star_level": star_level(totals["hours"]),
        "hours_to_next_star": next_star(totals["hours"]),
        "years": yearly_totals(volunteer_record(user)),
    }


def normalize_certificate_code(raw: str) -> str:
    """What a person types or a QR code carries, as stored: upper case, no dashes or spaces."""
    return "".join(ch for ch in (raw or "")[:64].upper() if ch not in "- ")


def certificate_get_public(code: str) -> Certificate:
    """An issued certificate by its verification code, for anyone; 404 ``certificate_not_found``
    for an unknown or forged code (the same answer whoever exists)."""
    normalized = normalize_certificate_code(code)
    certificate = Certificate.objects.filter(code=normalized).first() if normalized else None
    if certificate is None:
        raise NotFound(code="certificate_not_found")
    return certificate


def community_service_records(community_id: int) -> QuerySet[Claim]:
    """The verified services of a community's tasks, oldest first: the rows of the national
    volunteer-record export (docs/records-export.md)."""
    return (
        Claim.objects.filter(task__community_id=community_id, status=Claim.Status.VERIFIED)
        .select_related("task", "task__community", "user", "user__volunteer_number", "organization")
        .order_by("task__starts_at", "id")
    )


def community_service_totals(community_id: int) -> dict:
    """All the verified services of a community's tasks: how many, and the hours recorded at
    verification (never the measured ones; see "Hours: one number everywhere")."""
    totals = Claim.objects.filter(task__community_id=community_id, status=Claim.Status.VERIFIED).aggregate(services=Count("id"), hours=Sum("hours"))
    return {"services": totals["services"], "hours": _two_places(totals["hours"])}


def community_volunteer_totals(community_id: int) -> list[dict]:
    """The community's volunteers (members with the volunteer role, and anyone with a verified
    service there), each with the first date they joined it and their verified services and hours
    there. Three grouped queries, no join that could count a claim twice."""
    served = (
        Claim.objects.filter(task__community_id=community_id, status=Claim.Status.VERIFIED)
        .values("user_id")
        .annotate(services=Count("id"), hours=Sum("hours"), honour=Sum("honour_hours"), last=Max("task__starts_at"))
    )
    totals = {row["user_id"]: row for row in served}
    joined = dict(
        Membership.objects.filter(community_id=community_id).values("user_id").annotate(first=Min("created_at")).values_list("user_id", "first")
    )
    volunteers = set(
        Membership.objects.filter(community_id=community_id, role=Membership.Role.VOLUNTEER).values_list("user_id", flat=True)
    ) | set(totals)
    rows = []
    for user in User.objects.filter(pk__in=volunteers).select_related("volunteer_number").order_by("pk"):
        t = totals.get(user.pk, {})
        rows.append({
            "user": user, "joined": joined.get(user.pk), "services": t.get("services", 0), "hours": _two_places(t.get("hours")),
            "honour_hours": _two_places(t.get("honour")), "last_service": t.get("last"),
        })
    return rows


def record_visible_to(volunteer, viewer) -> bool:
    """Oneself, the district admin, and staff of a community where the volunteer is a member."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == volunteer.pk or viewer.is_superuser:
        return True
    communities = volunteer.memberships.values("community_id")
    return staff_communities(viewer).filter(community_id__in=communities).exists()

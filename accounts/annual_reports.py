"""年检: organisations' annual reports (activities, income, spending), staff's review, and the rule
that an organisation which has not filed by the deadline may not bid (``annual_report_missing``,
called by ``orders.services.contracts.bid_submit``).

Guarantees:
- one report per organisation and year (a unique constraint settles two filings at once); a report
  that needs correction is filed again in place, a filed or passed one is not (409 ``annual_report_exists``);
- a report for a year not yet over is refused (400 ``future_year``), nothing written;
- only the organisation's administrators file, only staff of its home community (any staff when it
  has none; the district admin everywhere) review, and a review moves filed → passed / needs correction.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnnualReport, Membership, Organization, User
from accounts.selectors import is_any_staff, is_organization_admin
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

# The report on year Y is due by this day of year Y + 1 (Pengshui's 年检 closes at the end of May).
DUE_MONTH, DUE_DAY = 5, 31
MAX_AMOUNT = 10**12  # fen
S = AnnualReport.Status
REVIEWABLE = {S.FILED}


def due_year(today: date | None = None) -> int:
    """The latest year whose report is overdue on ``today``."""
    today = today or timezone.localdate()
    return today.year - 1 if today > date(today.year, DUE_MONTH, DUE_DAY) else today.year - 2


def annual_report_missing(organization: Organization, today: date | None = None) -> int | None:
    """The overdue year this organisation has not filed for, or None. An organisation registered
    after that year began owes nothing for it."""
    year = due_year(today)
    if timezone.localtime(organization.created_at).year > year:
        return None
    if AnnualReport.objects.filter(organization_id=organization.pk, year=year).exists():
        return None
    return year


def check_may_bid(organization: Organization) -> None:
    """409 ``annual_report_missing`` for an organisation that has not filed its overdue report."""
    year = annual_report_missing(organization)
    if year is not None:
        raise Conflict(
            _("Your organisation has not filed its %(year)s annual report, due by %(due)s: file it before bidding.")
            % {"year": year, "due": date(year + 1, DUE_MONTH, DUE_DAY).isoformat()},
            code="annual_report_missing",
        )


def may_review(user: User, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = Membership.objects.filter(user=user, role=Membership.Role.STAFF)
    if organization.community_id:
        staff = staff.filter(community_id=organization.community_id)
    return staff.exists()


def _amount(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_AMOUNT:
        raise ValidationFailed(_("Give an amount in fen, zero or more."), code="invalid_amount", field=field)
    return value


def annual_report_file(*, actor: User, organization: Organization, year: int, summary: str, income: int, spending: int) -> AnnualReport:
    """An administrator of the organisation files its report on a finished year; one that staff
    sent back for correction is replaced and filed again."""
    if not (actor.is_superuser or is_organization_admin(actor, organization.pk)):
        raise PermissionDenied(_("Only an administrator of this organisation can file its annual report."), code="not_org_admin")
    today = timezone.localdate()
    if not isinstance(year, int) or year < 2000:
        raise ValidationFailed(_("Give a year from 2000 on."), code="invalid_year", field="year")
    if year >= today.year:
        raise ValidationFailed(_("A year can be reported on only once it is over."), code="future_year", field="year")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed(_("Say what the organisation did this year."), code="required", field="summary")
    if len(summary) > 4000 or "\x00" in summary:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": 4000}, code="too_long", field="summary")
    income, spending = _amount(income, "income"), _amount(spending, "spending")
    exists = Conflict(_("The report on this year is already filed."), code="annual_report_exists")
    now = timezone.now()
    with transaction.atomic():
        current = AnnualReport.objects.select_for_update().filter(organization=organization, year=year).first()
        if current is not None:
            if current.status != S.NEEDS_CORRECTION:
                raise exists
            AnnualReport.objects.filter(pk=current.pk).update(
                summary=summary, income=income, spending=spending, status=S.FILED, filed_by=actor, filed_at=now
            )
            current.refresh_from_db()
            return current
        try:
            with transaction.atomic():
                return AnnualReport.objects.create(
                    organization=organization, year=year, summary=summary, income=income, spending=spending, filed_by=actor, filed_at=now
                )
        except IntegrityError:  # filed twice at once: the second finds the first
            raise exists from None


def annual_report_review(*, actor: User, report: AnnualReport, passed: bool, note: str = "") -> AnnualReport:
    """Staff pass a filed report or send it back with a note saying what to correct."""
    if not may_review(actor, report.organization):
        raise PermissionDenied(_("Only staff of the organisation's community can review its annual report."), code="not_staff")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": 500}, code="too_long", field="note")
    if not passed and not note:
        raise ValidationFailed(_("Say what needs correcting."), code="note_required", field="note")
    to = S.PASSED if passed else S.NEEDS_CORRECTION
    with transaction.atomic():
        # Conditional update: of two reviews at once, one moves the report, the other finds it moved.
        moved = AnnualReport.objects.filter(pk=report.pk, status__in=REVIEWABLE).update(
            status=to, review_note=note, reviewed_by=actor, reviewed_at=timezone.now()
        )
        if not moved:
            raise Conflict(_("This report was already reviewed."), code="invalid_transition")
    report.refresh_from_db()
    return report


# --- Reads ----------------------------------------------------------------------------------------
def annual_report_get_for(viewer, report_id: int) -> AnnualReport:
    """A report, for the organisation's members and reviewing staff; 404 for anyone else."""
    report = AnnualReport.objects.select_related("organization").filter(pk=report_id).first()
    if report is None or not viewer.is_authenticated:
        raise NotFound(code="annual_report_not_found")
    org = report.organization
    if not (may_review(viewer, org) or org.members.filter(user=viewer).exists()):
        raise NotFound(code="annual_report_not_found")
    return report


def annual_reports_for(viewer, organization: Organization) -> QuerySet:
    """An organisation's reports, newest year first, for its members and staff; none for others."""
    reports = AnnualReport.objects.filter(organization=organization).select_related("organization", "reviewed_by")
    if not viewer.is_authenticated:
        return reports.none()
    if may_review(viewer, organization) or organization.members.filter(user=viewer).exists():
        return reports
    return reports.none()


def annual_reports_to_review(viewer) -> QuerySet:
    """Filed reports waiting for this staff member's review (their communities' organisations)."""
    reports = AnnualReport.objects.filter(status=S.FILED).select_related("organization").order_by("filed_at", "id")
    if not viewer.is_authenticated or not (viewer.is_superuser or is_any_staff(viewer)):
        return reports.none()
    if viewer.is_superuser:
        return reports
    communities = Membership.objects.filter(user=viewer, role=Membership.Role.STAFF).values("community_id")
    return reports.filter(organization__community_id__in=communities) | reports.filter(organization__community__isnull=True)

"""Records: a volunteer's record (printable, CSV/XLSX), the national volunteer-record export of a
community, and staff's page of one resident."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import selectors as account_selectors
from accounts.models import User, VolunteerNumber
from accounts.selectors import is_community_staff
from core.errors import PermissionDenied, ValidationFailed
from core.exports import export
from core.pages import error_page
from marketplace.models import Need
from orders import selectors as order_selectors
from orders.models import Claim, Review
from records import selectors, services
from records.lines import beneficiary_label, category_label, record_line

__all__ = ["record", "volunteers_export", "resident_record"]


def record(request, user_id: int):
    """A volunteer's verified service with totals: printable, and as CSV (UTF-8 with BOM for Excel)."""
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not selectors.record_visible_to(volunteer, request.user):
        raise Http404
    lines = selectors.volunteer_record(volunteer)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        # The first six columns as before (people's spreadsheets read them by position); the
        # national rules' other fields follow.
        header = [_("Date"), _("Task"), _("Community"), _("Hours recorded"), _("Honour hours"), _("Points"), _("Place"), _("Category"), _("Beneficiary"), _("Stars")]
        rows = (
            [line["date"].isoformat(), line["title"], line["organiser"], line["hours"], line["honour_hours"], line["points"],
             line["place"], category_label(line["category"]), beneficiary_label(line["beneficiary_type"]), line["stars"] or ""]
            for line in map(record_line, lines.iterator(chunk_size=500))
        )
        return export(fmt, f"volunteer-record-{volunteer.pk}", header, rows, title="record")
    context = {
        "volunteer": volunteer,
        "lines": [record_line(c) for c in lines[:500]],
        "totals": selectors.volunteer_record_summary(volunteer),
        "star_range": range(1, 6),
        "certificate_communities": services.certificate_communities(actor=request.user, volunteer=volunteer),
        "reputation": order_selectors.provider_reputation(user=volunteer),
        "now": timezone.now(),
    }
    return render(request, "records/record.html", context)


def _N(header: str) -> str:  # noqa: N802
    """A column of the national volunteer-record export, named as the standard names it."""
    return pgettext("national record", header)


def _volunteer_no(user) -> str:
    """The volunteer number of the national record (``JB00000004``), never an internal id; empty
    for someone who has never claimed a task (numbers are given at the first claim). The caller
    loads ``user__volunteer_number`` with the rows."""
    try:
        return user.volunteer_number.number or ""
    except VolunteerNumber.DoesNotExist:
        return ""


def _date(value, fmt="%Y-%m-%d") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


@login_required
def volunteers_export(request, community_id: int):
    """Staff's export of the community's service records (``?table=records``, the default) or
    volunteers (``?table=volunteers``) in the columns of the national volunteer-record data
    standard, as CSV (UTF-8 with BOM) or XLSX. Columns: docs/records-export.md."""
    community = account_selectors.community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can export its volunteer records.")))
    fmt, table = request.GET.get("format", "csv"), request.GET.get("table", "records")
    if fmt not in ("csv", "xlsx") or table not in ("records", "volunteers"):
        return error_page(request, ValidationFailed(_("Choose format=csv or xlsx and table=records or volunteers."), code="invalid_format"))
    if table == "volunteers":
        header = [
            _N("Volunteer number"), _N("Name"), _N("Registered in the community on"), _N("Registering organisation"),
            _N("Services"), _N("Service hours"), _N("Honour hours"), _N("Last service on"),
        ]
        rows = (
            [_volunteer_no(v["user"]), v["user"].shown_name, _date(v["joined"]), community.name,
             v["services"], v["hours"], v["honour_hours"], _date(v["last_service"])]
            for v in selectors.community_volunteer_totals(community.pk)
        )
        return export(fmt, f"volunteers-{community.pk}", header, rows, title="volunteers")
    header = [
        _N("Record number"), _N("Volunteer number"), _N("Name"), _N("Service project"), _N("Service category"), _N("Service start"),
        _N("Service end"), _N("Service place"), _N("Service hours"), _N("Honour hours"), _N("Served"), _N("On behalf of organisation"),
        _N("Recording organisation"), _N("Recorded on"),
    ]
    rows = (
        [
            c.pk, _volunteer_no(c.user), c.user.shown_name, c.task.title, c.task.get_category_display(),
            _date(c.task.starts_at, "%Y-%m-%d %H:%M"), _date(c.task.ends_at, "%Y-%m-%d %H:%M"), c.task.location, c.hours,
            c.honour_hours, _("An individual resident") if c.task.beneficiary_id else _("The community"),
            c.organization.name if c.organization_id else "", c.task.community.name, _date(c.verified_at),
        ]
        for c in selectors.community_service_records(community.pk).iterator(chunk_size=500)
    )
    return export(fmt, f"service-records-{community.pk}", header, rows, title="records")


@login_required
def resident_record(request, community_id: int, user_id: int):
    """Staff's page for one resident of their community: the service card, the guardians, and
    everything entered on their behalf (needs and reviews, 由工作人员代录) or done for them."""
    community = account_selectors.community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    resident = account_selectors.resident_get_for(request.user, community.pk, user_id)
    context = {
        "community": community,
        "resident": resident,
        "guardians": account_selectors.guardians_of(resident),
        "needs": Need.objects.filter(author=resident, community=community).select_related("entered_by").order_by("-created_at"),
        "reviews": Review.objects.filter(author=resident).select_related("claim__task", "entered_by").order_by("-created_at"),
        "services": Claim.objects.filter(task__beneficiary=resident, task__community=community)
        .select_related("task", "user", "confirmed_by")
        .order_by("-task__starts_at", "-id"),
    }
    return render(request, "accounts/resident_record.html", context)

"""Pages for rooms: the list, a room's week (readable on a phone) with the booking form, a
booking's page with staff's decision, my bookings, and staff's page (requests to decide, handovers,
use per room per month, a new room). They parse input and call the same services as the API."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Community, Organization
from accounts.selectors import is_community_staff, organization_get_for
from core.errors import ApplicationError, ValidationFailed
from core.pagecache import personal_page
from core.pages import error_page, perform
from marketplace.models import Category
from resources import selectors, services
from resources.models import Booking

WEEKDAYS = [(i + 1, gettext_lazy(name)) for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))]


def _int(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _date(raw, default: date | None = None) -> date | None:
    """A date from a form or query, or ``default`` (also for a year no calendar here shows)."""
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        return default
    return day if 1900 <= day.year <= 2999 else default


def _moment(day: str, hhmm: str, field: str) -> datetime:
    try:
        return timezone.make_aware(datetime.combine(date.fromisoformat(day), datetime.strptime(hhmm, "%H:%M").time()))
    except (TypeError, ValueError):
        raise ValidationFailed(_("Give a date and a time of day."), code="invalid_time", field=field) from None


def venues(request):
    community_id = _int(request.GET.get("community"))
    data = {"community": community_id} if community_id else {}
    return render(request, "resources/venues.html", {
        "venues": selectors.venue_list(data), "communities": Community.objects.filter(venues__isnull=False).distinct(),
        "community_id": community_id, "nav_item": "resources",
    })


def _venue_context(request, venue, monday, **extra):
    user = request.user
    is_staff = is_community_staff(user, venue.community_id)
    my_orgs = Organization.objects.filter(members__user=user) if user.is_authenticated else Organization.objects.none()
    context = {
        "venue": venue, "days": selectors.venue_week(venue, monday), "monday": monday, "hours": range(venue.opens.hour, venue.closes.hour + 1),
        "prev_week": monday - timedelta(days=7), "next_week": monday + timedelta(days=7), "is_staff": is_staff, "my_orgs": my_orgs,
        "today": timezone.localdate(), "weekdays": WEEKDAYS, "values": {}, "error": None, "nav_item": "resources",
    }
    if is_staff:
        context["handovers"] = selectors.handovers_of(venue)
        context["verified_orgs"] = Organization.objects.filter(status=Organization.Status.VERIFIED).order_by("name")[:300]
        context["categories"] = Category.choices
    context.update(extra)
    return context


@personal_page(params=("week",))
def venue(request, venue_id: int):
    """The room's week: taken hours per day, a booking form for members, handovers for staff."""
    room = selectors.venue_get_for(request.user, venue_id)
    monday = selectors.week_start(_date(request.GET.get("week"), timezone.localdate()))
    return render(request, "resources/venue.html", _venue_context(request, room, monday))


@login_required
@require_POST
def book(request, venue_id: int):
    room = selectors.venue_get_for(request.user, venue_id)
    values = {k: request.POST.get(k, "").strip() for k in ("day", "starts", "ends", "purpose", "attendees", "organization")}
    try:
        org_id = _int(values["organization"])
        org = organization_get_for(request.user, org_id) if org_id else None
        booking = services.booking_request(
            actor=request.user, venue=room, starts_at=_moment(values["day"], values["starts"], "starts_at"),
            ends_at=_moment(values["day"], values["ends"], "ends_at"), purpose=values["purpose"],
            attendees=_int(values["attendees"]) or 0, organization=org,
        )
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        monday = selectors.week_start(_date(values["day"], timezone.localdate()))
        return render(request, "resources/venue.html", _venue_context(request, room, monday, values=values, error=exc), status=exc.status)
    messages.success(request, _("Requested. Staff will confirm or refuse it; you will be told."))
    return redirect("resources:booking", booking.pk)


@login_required
@require_POST
def handover_new(request, venue_id: int):
    room = selectors.venue_get_for(request.user, venue_id)
    values = {k: request.POST.get(k, "").strip() for k in ("organization", "weekday", "starts", "ends", "from", "until")}
    try:
        org_id = _int(values["organization"])
        if org_id is None:
            raise ValidationFailed(_("Choose an organisation."), code="required", field="organization_id")
        handover = services.handover_create(
            actor=request.user, venue=room, organization=organization_get_for(request.user, org_id), weekday=_int(values["weekday"]) or 0,
            starts=values["starts"], ends=values["ends"], valid_from=_date(values["from"], timezone.localdate()),
            valid_until=_date(values["until"], timezone.localdate() - timedelta(days=1)),
        )
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        monday = selectors.week_start(timezone.localdate())
        return render(request, "resources/venue.html", _venue_context(request, room, monday, handover_values=values, handover_error=exc),
                      status=exc.status)
    messages.success(request, _("Handed over. Those hours are blocked every week."))
    return redirect(f"{reverse('resources:venue', args=[room.pk])}?week={max(handover.valid_from, timezone.localdate()).isoformat()}")


@login_required
@require_POST
def handover_end(request, handover_id: int):
    handover = selectors.handover_get_for(request.user, handover_id)
    return perform(request, lambda: services.handover_end(actor=request.user, handover=handover), success=_("Handover ended."),
                   then=redirect("resources:venue", handover.venue_id))


@login_required
def mine(request):
    return render(request, "resources/mine.html", {"bookings": selectors.bookings_for(request.user, {})[:100], "nav_item": "resources"})


@login_required
def booking(request, booking_id: int):
    item = selectors.booking_get_for(request.user, booking_id)
    return render(request, "resources/booking.html", {
        "booking": item, "history": item.history.select_related("actor"), "is_staff": is_community_staff(request.user, item.venue.community_id),
        "nav_item": "resources",
    })


@login_required
@require_POST
def booking_decide(request, booking_id: int, action: str):
    item = selectors.booking_get_for(request.user, booking_id)
    reason = request.POST.get("reason", "")
    actions = {
        "approve": (lambda: services.booking_approve(actor=request.user, booking=item), _("Booking confirmed.")),
        "reject": (lambda: services.booking_reject(actor=request.user, booking=item, reason=reason), _("Booking refused.")),
        "cancel": (lambda: services.booking_cancel(actor=request.user, booking=item, reason=reason), _("Booking cancelled.")),
    }
    if action not in actions:
        raise Http404
    run, success = actions[action]
    back = ("resources:manage", item.venue.community_id) if request.POST.get("then") == "manage" else ("resources:booking", item.pk)
    return perform(request, run, success=success, then=redirect(*back))


def _staff_community(request, community_id: int) -> Community:
    community = Community.objects.filter(pk=community_id).first()
    if community is None or not is_community_staff(request.user, community.pk):
        raise Http404
    return community


@login_required
def manage(request, community_id: int):
    """Staff: requests to decide, the rooms, use per room in a month, and a form for a new room."""
    community = _staff_community(request, community_id)
    month = _date((request.GET.get("month") or "") + "-01", None) or timezone.localdate().replace(day=1)
    requested = selectors.bookings_for(request.user, {"community": community.pk, "status": Booking.Status.REQUESTED}).order_by("starts_at")
    return render(request, "resources/manage.html", {
        "community": community, "requested": requested[:100], "venues": selectors.venue_list({"community": community.pk}),
        "usage": selectors.usage_by_month(community.pk, month), "month": month, "nav_item": "resources",
        "activities_pending": selectors.activities_for(request.user, {"community": community.pk, "status": "pending"})[:100],
        "groups_pending": Organization.objects.filter(kind=Organization.Kind.COMMUNITY_GROUP, community=community,
                                                      status=Organization.Status.PENDING),
    })


@login_required
@require_POST
def venue_new(request, community_id: int):
    community = _staff_community(request, community_id)
    p = request.POST
    return perform(request, lambda: services.venue_create(
        actor=request.user, community=community, name=p.get("name", ""), capacity=_int(p.get("capacity")) or 0,
        open_hours_text=f"{p.get('opens', '')}-{p.get('closes', '')}", max_hours=_int(p.get("max_hours")) or 0,
        description=p.get("description", ""),
    ), success=_("Room added."), then=redirect("resources:manage", community.pk))

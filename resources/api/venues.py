"""Rooms (venues), their week, bookings, standing handovers (让渡), use per month, and a task that
books its room when it is created."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import community_get_for, organization_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import ValidationFailed
from marketplace.services import TaskFields
from resources import selectors, services

router = Router(tags=["venues and bookings"])


class VenueOut(Schema):
    id: int
    name: str
    community_id: int
    capacity: int
    open_hours: str
    max_hours: int
    description: str


class VenueIn(Schema):
    community_id: int
    name: str = Field(..., max_length=120)
    capacity: int
    open_hours: str = Field(..., max_length=20, description='"HH:MM-HH:MM"')
    max_hours: int = 4
    description: str = Field("", max_length=500)


class VenueFilters(Schema):
    community: int | None = None


@router.get("/venues", response={200: list[VenueOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_venues(request, filters: Query[VenueFilters]):
    return selectors.venue_list(filters.dict(exclude_none=True))


@router.post("/venues", response={201: VenueOut, **ERRORS}, auth=AUTH)
def create_venue(request, payload: VenueIn):
    community = community_get_for(request.auth, payload.community_id)
    venue = services.venue_create(actor=request.auth, community=community, name=payload.name, capacity=payload.capacity,
                                  open_hours_text=payload.open_hours, max_hours=payload.max_hours, description=payload.description)
    return Status(201, venue)


@router.get("/venues/{venue_id}", response={200: VenueOut, **ERRORS}, auth=None)
def get_venue(request, venue_id: int):
    return selectors.venue_get_for(None, venue_id)


class BlockOut(Schema):
    starts_at: datetime
    ends_at: datetime
    kind: str = Field(..., description="booking or handover")
    status: str = Field(..., description="requested, confirmed, or handover")
    label: str


class DayOut(Schema):
    date: date
    blocks: list[BlockOut]


class WeekOut(Schema):
    venue: VenueOut
    week_of: date
    days: list[DayOut]


class WeekQuery(Schema):
    start: date | None = Field(None, description="any day of the week wanted; default this week")


@router.get("/venues/{venue_id}/week", response={200: WeekOut, **ERRORS}, auth=None)
def venue_week(request, venue_id: int, query: Query[WeekQuery]):
    """When the room is taken, one week (Monday to Sunday): holding bookings and handover hours."""
    venue = selectors.venue_get_for(None, venue_id)
    monday = selectors.week_start(query.start)
    days = [{"date": d, "blocks": blocks} for d, blocks in selectors.venue_week(venue, monday)]
    return {"venue": venue, "week_of": monday, "days": days}


class BookingIn(Schema):
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    purpose: str = Field(..., max_length=200)
    attendees: int = Field(..., ge=0, le=100_000)
    organization_id: int | None = None


class BookingOut(Schema):
    id: int
    venue_id: int
    starts_at: datetime
    ends_at: datetime
    purpose: str
    attendees: int
    organization_id: int | None
    task_id: int | None
    requester_id: int
    status: str
    reason: str


class BookingFilters(Schema):
    community: int | None = None
    venue: int | None = None
    status: str | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


@router.post("/venues/{venue_id}/bookings", response={201: BookingOut, **ERRORS}, auth=AUTH)
def request_booking(request, venue_id: int, payload: BookingIn):
    venue = selectors.venue_get_for(request.auth, venue_id)
    org = organization_get_for(request.auth, payload.organization_id) if payload.organization_id is not None else None
    booking = services.booking_request(actor=request.auth, venue=venue, starts_at=payload.starts_at, ends_at=payload.ends_at,
                                       purpose=payload.purpose, attendees=payload.attendees, organization=org)
    return Status(201, booking)


@router.get("/bookings", response={200: list[BookingOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def list_bookings(request, filters: Query[BookingFilters]):
    """Staff: their communities' bookings (``?status=requested`` to decide); others their own."""
    return selectors.bookings_for(request.auth, filters.dict(exclude_none=True))


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS}, auth=AUTH)
def get_booking(request, booking_id: int):
    return selectors.booking_get_for(request.auth, booking_id)


@router.post("/bookings/{booking_id}/approve", response={200: BookingOut, **ERRORS}, auth=AUTH)
def approve_booking(request, booking_id: int):
    return services.booking_approve(actor=request.auth, booking=selectors.booking_get_for(request.auth, booking_id))


@router.post("/bookings/{booking_id}/reject", response={200: BookingOut, **ERRORS}, auth=AUTH)
def reject_booking(request, booking_id: int, payload: ReasonIn):
    booking = selectors.booking_get_for(request.auth, booking_id)
    return services.booking_reject(actor=request.auth, booking=booking, reason=payload.reason)


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS}, auth=AUTH)
def cancel_booking(request, booking_id: int, payload: ReasonIn | None = None):
    booking = selectors.booking_get_for(request.auth, booking_id)
    return services.booking_cancel(actor=request.auth, booking=booking, reason=payload.reason if payload else "")


class HandoverIn(Schema):
    organization_id: int
    weekday: int = Field(..., description="1 = Monday … 7 = Sunday")
    starts: str = Field(..., max_length=5, description='"HH:MM"')
    ends: str = Field(..., max_length=5, description='"HH:MM"')
    from_: date = Field(..., alias="from")
    until: date


class HandoverOut(Schema):
    id: int
    venue_id: int
    organization_id: int
    weekday: int
    starts: str = Field(..., description='"HH:MM"')
    ends: str = Field(..., description='"HH:MM"')
    valid_from: date = Field(..., serialization_alias="from")
    until: date
    ended_at: datetime | None

    @staticmethod
    def resolve_until(obj) -> date:
        return obj.valid_until

    @staticmethod
    def resolve_starts(obj) -> str:
        return f"{obj.starts:%H:%M}"

    @staticmethod
    def resolve_ends(obj) -> str:
        return f"{obj.ends:%H:%M}"


@router.post("/venues/{venue_id}/handovers", response={201: HandoverOut, **ERRORS}, auth=AUTH, by_alias=True)
def create_handover(request, venue_id: int, payload: HandoverIn):
    venue = selectors.venue_get_for(request.auth, venue_id)
    org = organization_get_for(request.auth, payload.organization_id)
    handover = services.handover_create(actor=request.auth, venue=venue, organization=org, weekday=payload.weekday, starts=payload.starts,
                                        ends=payload.ends, valid_from=payload.from_, valid_until=payload.until)
    return Status(201, handover)


@router.get("/venues/{venue_id}/handovers", response={200: list[HandoverOut], **ERRORS}, auth=None, by_alias=True)
def list_handovers(request, venue_id: int):
    return list(selectors.handovers_of(selectors.venue_get_for(None, venue_id)))


@router.post("/handovers/{handover_id}/end", response={200: HandoverOut, **ERRORS}, auth=AUTH, by_alias=True)
def end_handover(request, handover_id: int):
    return services.handover_end(actor=request.auth, handover=selectors.handover_get_for(request.auth, handover_id))


class UsageOut(Schema):
    venue_id: int
    venue: str
    bookings: int
    booked_hours: float
    handover_hours: float


class UsageQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default this month")


@router.get("/communities/{community_id}/venue-usage", response={200: list[UsageOut], **ERRORS}, auth=AUTH)
def venue_usage(request, community_id: int, query: Query[UsageQuery]):
    """Staff: use per room in one month (confirmed bookings, hours booked, hours handed over)."""
    community = selectors.staff_community_get_for(request.auth, community_id)
    month = selectors.parse_month(query.month)
    return [{"venue_id": u.venue.pk, "venue": u.venue.name, "bookings": u.bookings, "booked_hours": u.booked_hours,
             "handover_hours": u.handover_hours} for u in selectors.usage_by_month(community.pk, month)]


class TaskWithRoomIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=30)
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    slots: int = Field(..., ge=0, le=100_000)
    points: int = Field(0, ge=0, le=1_000_000)
    attendees: int | None = Field(None, ge=1, le=100_000)


class TaskWithRoomOut(Schema):
    task_id: int
    booking: BookingOut


@router.post("/venues/{venue_id}/tasks", response={201: TaskWithRoomOut, **ERRORS}, auth=AUTH)
def create_task_with_room(request, venue_id: int, payload: TaskWithRoomIn):
    """Staff post a task held in this room: the task and its confirmed booking, both or neither."""
    venue = selectors.venue_get_for(request.auth, venue_id)
    if not payload.title.strip():
        raise ValidationFailed(_("This field is required."), code="required", field="title")
    fields = TaskFields(title=payload.title, description=payload.description, category=payload.category, starts_at=payload.starts_at,
                        ends_at=payload.ends_at, location=venue.name, slots=payload.slots, points=payload.points, skills=[], beneficiary=None)
    task, booking = services.task_create_with_room(actor=request.auth, venue=venue, fields=fields, attendees=payload.attendees)
    return Status(201, {"task_id": task.pk, "booking": booking})

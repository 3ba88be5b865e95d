"""Rooms and their bookings: a request for a time and a purpose, staff's approval or refusal, and
cancellation.

Guarantees:
- no two holding (requested or confirmed) bookings of a room overlap, and none overlaps an
  occurrence of a standing handover, whatever the race: the check and the insert run in one
  transaction under the venue's row lock (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE holds
  the database's write lock from the first statement), and PostgreSQL's exclusion constraint
  ``booking_no_overlap`` refuses what a path around this code might write: 409 ``venue_taken``;
- bad times are refused before anything is written: 400 ``ends_before_start``, ``booking_in_past``,
  ``outside_open_hours``, ``booking_too_long``; more people than the room holds: ``over_capacity``;
- a booking moves only along ALLOWED_TRANSITIONS, each move kept in its history; the requester is
  told of the decision.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.models import Community, Membership, Organization, OrganizationMember, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from resources.models import Booking, BookingStatusChange, Venue
from resources.services.common import booking_overlapping, handover_blocking, local, open_hours, text

S = Booking.Status
ALLOWED_TRANSITIONS = {
    S.REQUESTED: {S.CONFIRMED, S.REFUSED, S.CANCELLED},
    S.CONFIRMED: {S.CANCELLED},
    S.REFUSED: set(),
    S.CANCELLED: set(),
}
MAX_CAPACITY = 10_000


def venue_create(*, actor: User, community: Community, name: str, capacity: int, open_hours_text: str, max_hours: int = 4,
                 description: str = "") -> Venue:
    """Staff of the community add a room others may book."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can add its rooms."), code="not_staff")
    name = text(name, field="name", max_length=120)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed(_("Give how many people the room holds (1 to 10,000)."), code="invalid_capacity", field="capacity")
    if not isinstance(max_hours, int) or isinstance(max_hours, bool) or not 1 <= max_hours <= 24:
        raise ValidationFailed(_("Give the longest booking in hours (1 to 24)."), code="invalid_max_hours", field="max_hours")
    opens, closes = open_hours(open_hours_text)
    return Venue.objects.create(community=community, name=name, capacity=capacity, opens=opens, closes=closes, max_hours=max_hours,
                                description=text(description, field="description", max_length=500, required=False), created_by=actor)


def _check_times(venue: Venue, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(_("The booking must end after it starts."), code="ends_before_start", field="ends_at")
    if starts_at < timezone.now():
        raise ValidationFailed(_("This time has already passed."), code="booking_in_past", field="starts_at")
    start, end = local(starts_at), local(ends_at)
    same_day = start.date() == end.date()
    if not same_day or start.time() < venue.opens or end.time() > venue.closes:
        raise ValidationFailed(_("The room is open %(hours)s; choose a time within those hours on one day.") % {"hours": venue.open_hours},
                               code="outside_open_hours", field="starts_at")
    if ends_at - starts_at > timedelta(hours=venue.max_hours):
        raise ValidationFailed(_("This room may be booked for at most %(n)d hours at a time.") % {"n": venue.max_hours},
                               code="booking_too_long", field="ends_at")


def _check_requester(actor: User, venue: Venue, organization: Organization | None) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    if organization is not None:
        if not OrganizationMember.objects.filter(organization=organization, user=actor).exists():
            raise PermissionDenied(_("Only members of the organisation can book for it."), code="not_org_member")
        return
    if not (actor.is_superuser or Membership.objects.filter(user=actor, community_id=venue.community_id).exists()):
        raise PermissionDenied(_("Join this community first, or book for your organisation."), code="not_a_member")


def taken_error(venue: Venue, starts_at: datetime, ends_at: datetime, *, exclude_pk: int | None = None) -> Conflict | None:
    """Why the room is not free for [starts_at, ends_at), or None. Call it under the venue's lock."""
    if booking_overlapping(venue.pk, starts_at, ends_at, exclude_pk=exclude_pk) is not None:
        return Conflict(_("The room is already booked for part of this time."), code="venue_taken", field="starts_at")
    handover = handover_blocking(venue.pk, starts_at, ends_at)
    if handover is not None:
        return Conflict(_("The room is handed over to %(org)s at this time every week.") % {"org": handover.organization.name},
                        code="venue_taken", field="starts_at")
    return None


def lock_venue(venue: Venue) -> Venue:
    """Serialise every write of one room's time: the race is two requests both finding it free."""
    return Venue.objects.select_for_update().get(pk=venue.pk)


def booking_request(*, actor: User, venue: Venue, starts_at: datetime, ends_at: datetime, purpose: str, attendees: int,
                    organization: Organization | None = None, task=None) -> Booking:
    """Ask for a room for a time and a purpose; the booking holds its time while staff decide."""
    _check_requester(actor, venue, organization)
    purpose = text(purpose, field="purpose", max_length=200)
    if not isinstance(attendees, int) or isinstance(attendees, bool) or attendees < 1:
        raise ValidationFailed(_("Say how many people will come (at least 1)."), code="invalid_attendees", field="attendees")
    if attendees > venue.capacity:
        raise ValidationFailed(_("The room holds %(n)d people.") % {"n": venue.capacity}, code="over_capacity", field="attendees")
    _check_times(venue, starts_at, ends_at)
    with transaction.atomic():
        lock_venue(venue)
        error = taken_error(venue, starts_at, ends_at)
        if error is not None:
            raise error
        try:
            with transaction.atomic():
                booking = Booking.objects.create(venue=venue, requester=actor, organization=organization, task=task, starts_at=starts_at,
                                                 ends_at=ends_at, purpose=purpose, attendees=attendees)
        except IntegrityError:  # PostgreSQL's exclusion constraint: a writer that did not take the lock
            raise Conflict(_("The room is already booked for part of this time."), code="venue_taken", field="starts_at") from None
        BookingStatusChange.objects.create(booking=booking, actor=actor, from_status="", to_status=S.REQUESTED)
    return booking


def _move(*, actor: User, booking: Booking, to: str, reason: str = "") -> Booking:
    with transaction.atomic():
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status == to:
            return current  # a retried request finds the work done
        if to not in ALLOWED_TRANSITIONS[current.status]:
            raise Conflict(_("This booking cannot change from “%(status)s” to that.") % {"status": current.get_status_display()},
                           code="invalid_transition")
        # Conditional update: of two decisions at once, one moves the booking, the other finds it moved.
        if not Booking.objects.filter(pk=current.pk, status=current.status).update(status=to, reason=reason):
            raise Conflict(_("This booking was changed meanwhile; please reload."), code="invalid_transition")
        BookingStatusChange.objects.create(booking=current, actor=actor, from_status=current.status, to_status=to, note=reason[:200])
        if actor.pk != current.requester_id:
            code = {S.CONFIRMED: "booking_confirmed", S.REFUSED: "booking_refused", S.CANCELLED: "booking_cancelled"}[to]
            notify(user=current.requester, kind="booking", code=code, url=reverse("resources:booking", args=[current.pk]), params={
                "venue": current.venue.name, "when": f"{local(current.starts_at):%Y-%m-%d %H:%M}", "reason": reason,
                "status": notices.label(Booking.Status(to)),
            })
    booking.refresh_from_db()
    return booking


def _staff(actor: User, booking: Booking) -> None:
    if not is_community_staff(actor, booking.venue.community_id):
        raise PermissionDenied(_("Only staff of the room's community can decide on bookings."), code="not_staff")


def booking_approve(*, actor: User, booking: Booking) -> Booking:
    """Staff confirm a requested booking; it shows on the room's calendar and the requester's feed."""
    _staff(actor, booking)
    return _move(actor=actor, booking=booking, to=S.CONFIRMED)


def booking_reject(*, actor: User, booking: Booking, reason: str) -> Booking:
    """Staff refuse a requested booking with a reason the requester reads; its time is free again."""
    _staff(actor, booking)
    reason = text(reason, field="reason", max_length=200)
    return _move(actor=actor, booking=booking, to=S.REFUSED, reason=reason)


def booking_cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    """The requester, or staff, cancel a booking not yet over; its time is free again."""
    if actor.pk != booking.requester_id:
        _staff(actor, booking)
    return _move(actor=actor, booking=booking, to=S.CANCELLED, reason=text(reason, field="reason", max_length=200, required=False))

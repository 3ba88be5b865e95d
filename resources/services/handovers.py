"""让渡: staff hand a room over to an organisation for a standing weekly slot.

Guarantees:
- only staff of the room's community hand it over, only to a verified organisation (400
  ``organization_not_verified``), and only within the room's open hours on a real weekday;
- a handover never overlaps a holding booking or another handover on any of its occurrences: it is
  checked and written under the venue's lock (``bookings.lock_venue``) that every booking also
  takes, so a booking and a handover racing for the same hour cannot both win (409 ``venue_taken``).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from resources.models import Booking, Handover, Venue
from resources.services.bookings import lock_venue
from resources.services.common import live_handovers, local, occurrences, time_of_day

MAX_DAYS = 366


def _conflict(venue: Venue, draft: Handover) -> Conflict | None:
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(draft.valid_from, draft.starts), tz)
    last = timezone.make_aware(datetime.combine(draft.valid_until + timedelta(days=1), draft.starts), tz)
    bookings = Booking.objects.filter(venue=venue, status__in=Booking.HOLDING, starts_at__lt=last, ends_at__gt=first)
    slots = {s.date(): (s, e) for s, e in occurrences(draft, draft.valid_from, draft.valid_until)}
    for booking in bookings.only("starts_at", "ends_at"):
        slot = slots.get(local(booking.starts_at).date())
        if slot and booking.starts_at < slot[1] and slot[0] < booking.ends_at:
            return Conflict(_("The room is already booked on %(day)s at this time; cancel or move that booking first.")
                            % {"day": f"{local(booking.starts_at):%Y-%m-%d}"}, code="venue_taken", field="starts")
    others = live_handovers(venue.pk).filter(weekday=draft.weekday, valid_from__lte=draft.valid_until, valid_until__gte=draft.valid_from,
                                             starts__lt=draft.ends, ends__gt=draft.starts)
    other = others.first()
    if other is not None:
        return Conflict(_("The room is already handed over to %(org)s at this time.") % {"org": other.organization.name},
                        code="venue_taken", field="starts")
    return None


def handover_create(*, actor: User, venue: Venue, organization: Organization, weekday: int, starts, ends, valid_from: date,
                    valid_until: date) -> Handover:
    """Give a room to a verified organisation every ``weekday`` from ``starts`` to ``ends`` between
    two dates (inclusive); each occurrence blocks the room."""
    if not is_community_staff(actor, venue.community_id):
        raise PermissionDenied(_("Only staff of the room's community can hand it over."), code="not_staff")
    if organization.status != Organization.Status.VERIFIED:
        raise ValidationFailed(_("Only a verified organisation can be handed a room."), code="organization_not_verified",
                               field="organization_id")
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
        raise ValidationFailed(_("Give the weekday as 1 (Monday) to 7 (Sunday)."), code="invalid_weekday", field="weekday")
    starts, ends = time_of_day(starts, field="starts"), time_of_day(ends, field="ends")
    if ends <= starts:
        raise ValidationFailed(_("The slot must end after it starts."), code="ends_before_start", field="ends")
    if starts < venue.opens or ends > venue.closes:
        raise ValidationFailed(_("The room is open %(hours)s; choose a slot within those hours.") % {"hours": venue.open_hours},
                               code="outside_open_hours", field="starts")
    if valid_until < valid_from or (valid_until - valid_from).days > MAX_DAYS or not (1900 <= valid_from.year and valid_until.year <= 2999):
        raise ValidationFailed(_("The last day must come after the first, within a year."), code="invalid_period", field="until")
    if valid_until < timezone.localdate():
        raise ValidationFailed(_("This period has already passed."), code="booking_in_past", field="until")
    draft = Handover(venue=venue, organization=organization, weekday=weekday, starts=starts, ends=ends, valid_from=valid_from,
                     valid_until=valid_until, created_by=actor)
    with transaction.atomic():
        lock_venue(venue)
        error = _conflict(venue, draft)
        if error is not None:
            raise error
        draft.save()
    return draft


def handover_end(*, actor: User, handover: Handover) -> Handover:
    """Staff end a handover early; its future hours are free again."""
    if not is_community_staff(actor, handover.venue.community_id):
        raise PermissionDenied(_("Only staff of the room's community can end a handover."), code="not_staff")
    Handover.objects.filter(pk=handover.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    handover.refresh_from_db()
    return handover

"""What the resources services share: plain-text checks, times of day, and the overlap rule."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from resources.models import Booking, Handover

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Plain text, trimmed; pages show it escaped."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field)
    if "\x00" in value:
        raise ValidationFailed(_("The text holds a character that cannot be stored."), code="null_character", field=field)
    return value


def time_of_day(value, *, field: str) -> time:
    """"HH:MM" (or a ``time``) → a time of day; anything else is 400 ``invalid_time``."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = HHMM.match((value or "").strip()) if isinstance(value, str) else None
    if match is None:
        raise ValidationFailed(_("Give a time of day as HH:MM, e.g. 14:00."), code="invalid_time", field=field)
    return time(int(match[1]), int(match[2]))


def open_hours(value: str) -> tuple[time, time]:
    """"HH:MM-HH:MM" → (opens, closes), closing after opening: 400 ``invalid_open_hours``."""
    parts = (value or "").replace("–", "-").split("-")
    bad = ValidationFailed(_("Give the open hours as HH:MM-HH:MM, e.g. 08:30-21:00."), code="invalid_open_hours", field="open_hours")
    if len(parts) != 2 or not all(HHMM.match(p.strip()) for p in parts):
        raise bad
    opens, closes = (time_of_day(p.strip(), field="open_hours") for p in parts)
    if closes <= opens:
        raise bad
    return opens, closes


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)


def occurrences(handover: Handover, start: date, end: date):
    """The handover's (starts_at, ends_at) on each of its weekdays between ``start`` and ``end`` (inclusive)."""
    day = max(start, handover.valid_from)
    last = min(end, handover.valid_until)
    day += timedelta(days=(handover.weekday - day.isoweekday()) % 7)
    tz = timezone.get_current_timezone()
    while day <= last:
        yield (timezone.make_aware(datetime.combine(day, handover.starts), tz), timezone.make_aware(datetime.combine(day, handover.ends), tz))
        day += timedelta(days=7)


def live_handovers(venue_id: int):
    return Handover.objects.filter(venue_id=venue_id, ended_at__isnull=True).select_related("organization")


def handover_blocking(venue_id: int, starts_at: datetime, ends_at: datetime) -> Handover | None:
    """The standing handover one of whose occurrences overlaps [starts_at, ends_at), if any."""
    first, last = local(starts_at).date(), local(ends_at).date()
    for handover in live_handovers(venue_id).filter(valid_from__lte=last, valid_until__gte=first):
        for s, e in occurrences(handover, first, last):
            if s < ends_at and starts_at < e:  # half-open: one may start when the other ends
                return handover
    return None


def booking_overlapping(venue_id: int, starts_at: datetime, ends_at: datetime, *, exclude_pk: int | None = None) -> Booking | None:
    qs = Booking.objects.filter(venue_id=venue_id, status__in=Booking.HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()

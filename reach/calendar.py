"""iCalendar (RFC 5545) files written with the ``icalendar`` package: a person's feed of their live
claims, and one task's event for "add to calendar". Times are in Asia/Shanghai (TIME_ZONE)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from marketplace.models import Task


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Community Market//community-market//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _event(task: Task, *, uid: str, base_url: str) -> Event:
    tz = ZoneInfo(settings.TIME_ZONE)
    link = base_url + reverse("tasks:detail", args=[task.pk])
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", task.starts_at.astimezone(tz))
    event.add("dtend", task.ends_at.astimezone(tz))
    event.add("summary", task.title)
    event.add("location", task.location)
    event.add("url", link)
    event.add("description", f"{task.description}\n\n{link}".strip())
    if task.status == Task.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def _booking_event(booking, *, uid: str, base_url: str) -> Event:
    tz = ZoneInfo(settings.TIME_ZONE)
    link = base_url + reverse("resources:booking", args=[booking.pk])
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    event.add("summary", f"{booking.venue.name} · {booking.purpose}")
    event.add("location", booking.venue.name)
    event.add("url", link)
    return event


def claims_calendar(claims, *, name: str, base_url: str, bookings=()) -> bytes:
    """The person's live claims and (#33) her confirmed room bookings still to come."""
    cal = _calendar(name)
    host = base_url.split("://", 1)[-1]
    for claim in claims:
        cal.add_component(_event(claim.task, uid=f"claim-{claim.pk}@{host}", base_url=base_url))
    for booking in bookings:
        cal.add_component(_booking_event(booking, uid=f"booking-{booking.pk}@{host}", base_url=base_url))
    return _finish(cal)


def task_calendar(task: Task, *, base_url: str) -> bytes:
    cal = _calendar(task.title)
    host = base_url.split("://", 1)[-1]
    cal.add_component(_event(task, uid=f"task-{task.pk}@{host}", base_url=base_url))
    return _finish(cal)

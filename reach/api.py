"""``/me/calendar`` (the secret iCalendar feed URL, and renewing it) and ``/me/notification-settings``
(email on or off, a daily digest instead, the language of emails)."""

from ninja import Field, Router, Schema

from accounts.auth import AUTH
from core.api import ERRORS
from reach import services

router = Router(tags=["reach"])


class CalendarOut(Schema):
    url: str


class NotificationSettingsIn(Schema):
    email: bool | None = None
    digest: bool | None = None
    language: str | None = Field(None, max_length=10)


class NotificationSettingsOut(Schema):
    email: bool
    digest: bool
    language: str


@router.get("/me/calendar", response={200: CalendarOut, **ERRORS}, auth=AUTH)
def my_calendar(request):
    """The person's secret calendar feed URL (no login needed to fetch it: keep it to yourself)."""
    return {"url": request.build_absolute_uri(services.calendar_path(request.auth))}


@router.post("/me/calendar/renew", response={200: CalendarOut, **ERRORS}, auth=AUTH)
def my_calendar_renew(request):
    """A new secret feed URL; the old one stops working at once (404)."""
    return {"url": request.build_absolute_uri(services.calendar_renew(actor=request.auth))}


@router.get("/me/notification-settings", response={200: NotificationSettingsOut, **ERRORS}, auth=AUTH)
def my_notification_settings(request):
    return services.settings_for(request.auth)


@router.patch("/me/notification-settings", response={200: NotificationSettingsOut, **ERRORS}, auth=AUTH)
def my_notification_settings_update(request, payload: NotificationSettingsIn):
    return services.reach_settings_update(actor=request.auth, email=payload.email, digest=payload.digest, language=payload.language)

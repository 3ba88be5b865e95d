"""The calendar files (the secret feed, one task's "add to calendar") and the unsubscribe link."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from marketplace.selectors import task_get_for
from reach import selectors, services
from reach.calendar import claims_calendar, task_calendar
from resources.selectors import confirmed_bookings_of


def _ics(body: bytes, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def calendar_feed(request, token: str):
    """The person's claims as a calendar; the secret in the URL is the only credential."""
    user = selectors.calendar_owner(token)
    body = claims_calendar(selectors.calendar_claims(user), name=_("My volunteering"), base_url=_base_url(request),
                           bookings=confirmed_bookings_of(user))
    return _ics(body)


def task_ics(request, task_id: int):
    task = task_get_for(request.user, task_id)
    return _ics(task_calendar(task, base_url=_base_url(request)), filename=f"task-{task.pk}.ics")


# No CSRF token: mail programs POST without one, and the signed token already proves the link.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks (mail scanners follow links), POST turns email off; no login: the signed link is
    the proof. Mail programs' one-click unsubscribe (RFC 8058) POSTs here too."""
    user = services.user_for_unsubscribe_token(token)
    done = False
    if request.method == "POST":
        services.email_unsubscribe(token=token)
        done = True
        messages.success(request, _("You will get no more email from us."))
    return render(request, "reach/unsubscribe.html", {"person": user, "done": done})

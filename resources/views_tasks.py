"""Pages for tasks that use a room: staff post a task held in a room from the room's page (the task
and its confirmed booking, both or neither), and community groups' activities (a member proposes a
task for the group, staff of the community approve or refuse it). They parse input and call the same
services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, ValidationFailed
from core.pages import error_page
from marketplace.services import TaskFields
from resources import selectors, services
from resources.views import _date, _int, _moment, _venue_context

TASK_KEYS = ("title", "description", "category", "day", "starts", "ends", "slots", "points", "attendees")


def task_fields_from(values: dict, *, location: str) -> TaskFields:
    """The task form's values → the marketplace's TaskFields (its service checks them)."""
    if not values["title"]:
        raise ValidationFailed(_("This field is required."), code="required", field="title")
    return TaskFields(title=values["title"], description=values["description"], category=values["category"],
                      starts_at=_moment(values["day"], values["starts"], "starts_at"), ends_at=_moment(values["day"], values["ends"], "ends_at"),
                      location=location, slots=_int(values["slots"]) or 0, points=_int(values["points"]) or 0, skills=[], beneficiary=None)


@login_required
@require_POST
def venue_task(request, venue_id: int):
    """Staff post a task held in this room (``POST /venues/{id}/tasks`` on a page)."""
    room = selectors.venue_get_for(request.user, venue_id)
    values = {k: request.POST.get(k, "").strip() for k in TASK_KEYS}
    try:
        task, _booking = services.task_create_with_room(actor=request.user, venue=room, fields=task_fields_from(values, location=room.name),
                                                        attendees=_int(values["attendees"]))
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        monday = selectors.week_start(_date(values["day"], timezone.localdate()))
        return render(request, "resources/venue.html", _venue_context(request, room, monday, task_values=values, task_error=exc),
                      status=exc.status)
    messages.success(request, _("The task is posted and the room is booked for it."))
    return redirect("tasks:detail", task.pk)

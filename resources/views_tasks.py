"""Pages for tasks that use a room: staff post a task held in a room from the room's page (the task
and its confirmed booking, both or neither), and community groups' activities (a member proposes a
task for the group, staff of the community approve or refuse it). They parse input and call the same
services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import organization_get_for
from core.errors import ApplicationError, ValidationFailed
from core.pages import error_page, perform
from marketplace.services import TaskFields
from resources import selectors, services
from resources.views import _date, _int, _moment, _venue_context
from resources.views_people import group_context

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


@login_required
@require_POST
def activity_propose(request, organization_id: int):
    """A member of a filed community group proposes a task for it (``POST /organizations/{id}/activities``)."""
    group = organization_get_for(request.user, organization_id)
    values = {k: request.POST.get(k, "").strip() for k in (*TASK_KEYS, "location")}
    try:
        services.activity_propose(actor=request.user, organization=group, fields=task_fields_from(values, location=values["location"]))
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        return render(request, "resources/group.html", group_context(request, group, values=values, error=exc), status=exc.status)
    messages.success(request, _("Proposed. Staff of the community will approve or refuse it; you will be told."))
    return redirect(f"{reverse('resources:group', args=[group.pk])}#activities")


@login_required
@require_POST
def activity_decide(request, activity_id: int, action: str):
    """Staff approve an activity (published on the board) or refuse it with a reason."""
    activity = selectors.activity_get_for(request.user, activity_id)
    reason = request.POST.get("reason", "")
    actions = {
        "approve": (lambda: services.activity_approve(actor=request.user, activity=activity), _("Approved: the task is on the board.")),
        "reject": (lambda: services.activity_reject(actor=request.user, activity=activity, reason=reason), _("Refused; the group is told why.")),
    }
    if action not in actions:
        raise Http404
    run, success = actions[action]
    return perform(request, run, success=success, then=redirect(f"{reverse('resources:manage', args=[activity.task.community_id])}#activities"))

"""The task page (what the visitor may do there) and its actions: cancel the task, join or leave its waitlist."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.models import Organization
from accounts.selectors import row_viewer_is_staff, row_viewer_volunteers
from core.pages import perform
from marketplace import selectors as market_selectors
from marketplace import services as market_services
from marketplace.models import Task
from orders import services
from orders.models import Claim
from orders.services.claims.deliver import CHECKIN_OPENS_BEFORE_START

__all__ = ["task_detail", "task_cancel", "waitlist_join", "waitlist_leave"]


# --- The task page: where a person claims, delivers, and staff verify ---------------------------
def task_detail(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id, organiser=True, roles=True)
    user = request.user
    is_staff = row_viewer_is_staff(task, user)
    my_claim = None
    can_claim = False
    my_orgs = []
    is_volunteer = row_viewer_volunteers(task, user)
    if user.is_authenticated:
        my_claim = Claim.objects.filter(task=task, user=user).order_by("-id").first()
        my_orgs = list(Organization.objects.filter(members__user=user, status=Organization.Status.VERIFIED))
        can_claim = (is_volunteer or my_orgs) and (my_claim is None or not my_claim.is_live)
    not_started = task.starts_at > timezone.now()
    my_position = services.waitlist_position(task, user) if user.is_authenticated else None
    context = {
        "task": task,
        "is_staff": is_staff,
        "my_claim": my_claim,
        # A full task that has not started: a volunteer without a live claim may wait for a slot.
        "can_wait": (
            user.is_authenticated and my_position is None and not (my_claim and my_claim.is_live) and not_started
            and task.status == Task.Status.FULL and is_volunteer
        ),
        "my_position": my_position,
        "waiting": services.waitlist_people(task) if is_staff else None,
        "can_claim": can_claim and task.status == Task.Status.OPEN and task.starts_at > timezone.now(),
        "my_orgs": my_orgs,
        "claims": task.claims.select_related("user", "organization", "confirmed_by").order_by("id") if is_staff else None,
        "checkin": market_services.task_checkin_code(actor=user, task=task) if is_staff and task.status not in ("draft", "cancelled") else None,
        "reviewable": (
            Claim.objects.filter(task=task, status=Claim.Status.VERIFIED, review__isnull=True, confirmed_at__isnull=False).select_related("user")
            if task.beneficiary_id
            and user.is_authenticated
            and (task.beneficiary_id == user.pk or is_staff or account_selectors.is_guardian_of(user, task.beneficiary_id))
            else None
        ),
        "history": task.history.select_related("actor") if is_staff else None,
        "task_ended": task.ends_at <= timezone.now(),
        "status_labels": dict(Task.Status.choices),
        "checkin_open": task.starts_at - CHECKIN_OPENS_BEFORE_START <= timezone.now() <= task.ends_at,
        "checkin_opens_at": task.starts_at - CHECKIN_OPENS_BEFORE_START,
        "organiser": task.created_by,
        # The organiser's phone is for the people doing the task (and staff), not for every visitor.
        "show_contact": is_staff or (my_claim is not None and my_claim.is_live),
    }
    return render(request, "tasks/detail.html", context)


@login_required
@require_POST
def task_cancel(request, task_id: int):
    reason = request.POST.get("reason", "")[:200]
    scope = request.POST.get("scope") or "this"
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.task_cancel(actor=request.user, task=task, reason=reason, scope=scope), success=_("Task cancelled; claimants were told."),
        then=redirect("tasks:detail", task.pk),
    )


@login_required
@require_POST
def waitlist_join(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.waitlist_join(actor=request.user, task=task),
        success=_("You are on the waiting list. When a slot comes free it is yours, and you will be told at once."),
        then=redirect("tasks:detail", task.pk),
    )


@login_required
@require_POST
def waitlist_leave(request, task_id: int):
    task = market_selectors.task_get_for(request.user, task_id)
    return perform(
        request, lambda: services.waitlist_leave(actor=request.user, task=task), success=_("You left the waiting list."),
        then=redirect("tasks:detail", task.pk),
    )

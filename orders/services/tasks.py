"""Cancelling a task (with the later occurrences of its series): its open claims withdrawn and the people
waiting told, in one transaction. It lives in orders, not marketplace, because it withdraws claims."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import ValidationFailed
from marketplace.models import Task
from marketplace.services import require_task_staff, task_transition
from orders.services.claims.take import claims_withdraw_for_cancelled_task
from orders.services.waitlist import waitlist_close

__all__ = ["task_cancel"]


CANCEL_SCOPES = ("this", "following")


def task_cancel(*, actor: User, task: Task, reason: str = "", scope: str = "this") -> Task:
    """Staff cancel a task: claims still open are withdrawn and their holders told, and the people
    waiting are told, in one transaction (the task's status and its claims never disagree). With
    ``scope="following"``, the later occurrences of its series that have not started go with it."""
    require_task_staff(actor, task.community_id)
    if scope not in CANCEL_SCOPES:
        raise ValidationFailed(_("Choose this occurrence or this and the following ones."), code="invalid_scope", field="scope")
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        targets = [locked]
        if scope == "following" and locked.series_id is not None:
            later = Task.objects.select_for_update().filter(
                series_id=locked.series_id, starts_at__gt=max(locked.starts_at, timezone.now()),
                status__in=[Task.Status.DRAFT, Task.Status.OPEN, Task.Status.FULL],
            ).order_by("starts_at", "id")
            targets += list(later)
        for target in targets:
            if target.status == Task.Status.CANCELLED:
                continue
            task_transition(task=target, to=Task.Status.CANCELLED, actor=actor, note=reason, expected=target.status)
            claims_withdraw_for_cancelled_task(task=target, actor=actor)
            waitlist_close(target, why=gettext_lazy("the task was cancelled."))
    return locked

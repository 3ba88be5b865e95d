"""The no-show sweep: claims whose task ended without a check-in are marked no-show and give back their slot."""

from django.db import transaction
from django.utils import timezone

from marketplace.models import Task
from marketplace.services import task_transition
from orders.models import Claim
from orders.services.claims.common import claim_locked, claim_move, slot_release, task_start_if_due

__all__ = ["claims_mark_no_shows"]


C = Claim.Status


def claims_mark_no_shows(*, now=None) -> tuple[int, int]:
    """Claims never checked in by the task's end become no-shows; open tasks that ended with
    nobody checked in expire; open tasks under way with someone on site become in progress. Safe to run twice, and from cron while the site is in use."""
    now = now or timezone.now()
    no_shows = 0
    for claim in Claim.objects.filter(status=C.CLAIMED, task__ends_at__lt=now).select_related("task"):
        with transaction.atomic():
            locked = claim_locked(claim)
            if claim_move(locked, to=C.NO_SHOW, frm=(C.CLAIMED,), actor=None, note="not checked in by the end"):
                slot_release(locked.task, now)
                no_shows += 1
    # Tasks whose volunteers all checked in before the start stayed open until it: under way now.
    for task in Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], starts_at__lte=now, ends_at__gte=now):
        with transaction.atomic():
            task_start_if_due(task, now)
    expired = 0
    ended = Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], ends_at__lt=now)
    for task in ended:
        with transaction.atomic():
            delivered = Claim.objects.filter(task=task, status__in=[C.CHECKED_IN, C.SUBMITTED, C.VERIFIED]).exists()
            to = Task.Status.DONE if delivered else Task.Status.EXPIRED
            expired += task_transition(task=task, to=to, actor=None, expected=task.status) and to == Task.Status.EXPIRED
    return no_shows, expired

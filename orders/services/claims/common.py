"""The small helpers every claim workflow shares: the locked fetch of a claim, its guarded status move
and refusal, hours arithmetic, giving a slot back and starting a task that is due."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, ValidationFailed
from marketplace.models import Task
from marketplace.realtime import announce_task
from marketplace.services import task_transition
from orders.models import Claim, ClaimStatusChange
from orders.services.waitlist import waitlist_promote

__all__ = ["TWO_PLACES", "hours_decimal", "claim_move", "claim_refused", "claim_locked", "slot_release", "task_start_if_due", "hours_parse"]


C = Claim.Status


TWO_PLACES = Decimal("0.01")


def hours_decimal(value) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def claim_move(claim: Claim, *, to: str, frm: tuple[str, ...], actor: User | None, note: str = "", **fields) -> bool:
    """Conditional UPDATE from one of ``frm`` to ``to``; records history. False if someone else
    moved the claim first (the caller decides whether that is a retry or a conflict)."""
    current = claim.status
    if current not in frm:
        return False
    if not Claim.objects.filter(pk=claim.pk, status=current).update(status=to, **fields):
        return False
    ClaimStatusChange.objects.create(claim=claim, from_status=current, to_status=to, actor=actor, note=note[:200])
    claim.status = to
    for name, value in fields.items():
        setattr(claim, name, value)
    return True


def claim_refused(claim: Claim, action: str):
    return Conflict(
        _("A claim that is %(status)s cannot be %(action)s.") % {"status": claim.get_status_display(), "action": action},
        code="invalid_transition",
    )


def claim_locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("task", "task__community").get(pk=claim.pk)


def slot_release(task: Task, now=None) -> None:
    """A claim that stops being live (rejected, no-show) no longer holds its slot, so that
    ``slots_taken`` keeps counting live claims. A full task reopens if it has not started (claims
    stay open until the start); one that has started is in progress if someone is on site."""
    Task.objects.filter(pk=task.pk, slots_taken__gt=0).update(slots_taken=F("slots_taken") - 1)
    now = now or timezone.now()
    waitlist_promote(task, now)  # before the start: the first person waiting takes it; after: the list closes
    announce_task(task.pk, "updated")
    fresh = Task.objects.only("status", "starts_at", "slots", "slots_taken").get(pk=task.pk)
    if fresh.status != Task.Status.FULL or fresh.slots_taken >= fresh.slots:
        return
    if fresh.starts_at > now or not task_start_if_due(fresh, now):
        task_transition(task=fresh, to=Task.Status.OPEN, actor=None, expected=Task.Status.FULL, note="slot freed")


def task_start_if_due(task: Task, now) -> bool:
    """An open or full task becomes in progress once it has started and someone is on site. Before
    its start a task stays open for claims, however early its first volunteer checks in."""
    if task.status not in (Task.Status.OPEN, Task.Status.FULL) or task.starts_at > now:
        return False
    if not Claim.objects.filter(task_id=task.pk, status__in=[C.CHECKED_IN, C.SUBMITTED, C.VERIFIED]).exists():
        return False
    return task_transition(task=task, to=Task.Status.IN_PROGRESS, actor=None, expected=task.status)


def hours_parse(value, *, field: str) -> Decimal:
    """The one rule for hours typed by a person, on the pages and in the API alike: a number, not
    negative, with at most two decimals (0.10 is fine, 0.105 is not). The upper bound (the task's
    length) is the caller's. The page's field says the same: ``step="0.01" min="0"``."""
    try:
        raw = Decimal(str(value).strip())
        hours = hours_decimal(raw)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Hours must be a number."), code="invalid_hours", field=field) from None
    if not raw.is_finite() or hours < 0:
        raise ValidationFailed(_("Hours cannot be negative."), code="invalid_hours", field=field)
    if raw != hours:
        raise ValidationFailed(_("Hours have at most two decimals, like 0.10 or 1.25."), code="invalid_hours", field=field)
    return hours

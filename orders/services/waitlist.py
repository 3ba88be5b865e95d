"""Waiting lists of full tasks (候补): join, leave, and the promotion of the first person waiting
when a slot is freed.

Guarantees:
- a person joins only a task that is full and not started, once, and never while holding a live
  claim on it; a claim taken by other means takes them off the list (nobody is both);
- a freed slot (withdrawal, rejection, a no-show, more slots) goes to the first person waiting in
  the transaction that frees it, through the same rules as ``claim_create``; people who no longer
  qualify are dropped and told why; the one promoted is told at once (``notify``);
- positions are exact under concurrency: joins and frees of one task are serialised on the task's
  row (``select_for_update`` on PostgreSQL; BEGIN IMMEDIATE on SQLite), so entries are written in
  the order they are served (lowest id first).
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import notices
from accounts.models import User
from accounts.selectors import is_volunteer_of
from accounts.services import notify
from core.errors import ApplicationError, Conflict, PermissionDenied
from marketplace.models import Task
from marketplace.realtime import announce_task
from marketplace.services import task_transition
from marketplace.signals import task_slots_added
from orders.models import Claim, WaitlistEntry
from orders.services.slots import CLAIMABLE, check_can_take, lock_person, record_claim, take_slot


def _lock_task(task: Task) -> Task:
    """The task's row, locked for the rest of the transaction on PostgreSQL: the same row every
    free of a slot updates, so a join and a promotion on one task never interleave."""
    qs = Task.objects.select_for_update() if connection.features.has_select_for_update else Task.objects
    return qs.get(pk=task.pk)


def waitlist_position(task: Task, user: User) -> int | None:
    """1 for the first person waiting; None when ``user`` is not waiting."""
    entry = WaitlistEntry.objects.filter(task=task, user=user).values_list("pk", flat=True).first()
    if entry is None:
        return None
    return WaitlistEntry.objects.filter(task=task, pk__lte=entry).count()


def waitlist_people(task: Task):
    """The people waiting for ``task``, first in line first (for its staff)."""
    return WaitlistEntry.objects.filter(task=task).select_related("user").order_by("id")


def waitlist_join(*, actor: User, task: Task) -> int:
    """A volunteer of the task's community waits for a slot of a full task; returns their position.
    403 ``not_a_volunteer``; 409 ``task_not_open``, ``already_claimed``, ``task_not_full``,
    ``already_waiting``; nothing is written then."""
    if not is_volunteer_of(actor, task.community_id):
        raise PermissionDenied(_("Join this community as a volunteer to take its tasks."), code="not_a_volunteer")
    now = timezone.now()
    with transaction.atomic():
        fresh = _lock_task(task)
        if fresh.status not in CLAIMABLE or fresh.starts_at <= now:
            raise Conflict(_("This task is not open for claims."), code="task_not_open")
        if Claim.objects.filter(task=fresh, user=actor, status__in=Claim.LIVE).exists():
            raise Conflict(_("You have already claimed this task."), code="already_claimed")
        if fresh.slots_taken < fresh.slots:
            raise Conflict(_("A slot of this task is free: take it instead of waiting."), code="task_not_full")
        if WaitlistEntry.objects.filter(task=fresh, user=actor).exists():
            raise Conflict(_("You are already on the waiting list of this task."), code="already_waiting")
        try:
            with transaction.atomic():
                WaitlistEntry.objects.create(task=fresh, user=actor)
        except IntegrityError:  # the same person twice at once: the unique constraint says who was first
            raise Conflict(_("You are already on the waiting list of this task."), code="already_waiting") from None
        return waitlist_position(fresh, actor)


def waitlist_leave(*, actor: User, task: Task) -> None:
    """Leave the waiting list (nothing happens when not on it: a retry is harmless)."""
    with transaction.atomic():
        WaitlistEntry.objects.filter(task=task, user=actor).delete()


def _drop(entry: WaitlistEntry, task: Task, why) -> None:
    """``why`` is a lazy translation (stored as a label, read in the reader's language) or, for a
    rule's own message, the sentence as it was said."""
    entry.delete()
    notify(
        user=entry.user,
        kind="waitlist_dropped",
        code="waitlist_dropped",
        params={"task": task.title, "why": notices.label(why) if isinstance(why, Promise) else str(why)},
        url=reverse("tasks:detail", args=[task.pk]),
    )


def waitlist_close(task: Task, *, why: str) -> int:
    """Everyone waiting for ``task`` is taken off its list and told why (cancelled, started)."""
    entries = list(waitlist_people(task))
    for entry in entries:
        _drop(entry, task, why)
    return len(entries)


def waitlist_promote(task: Task, now=None) -> list[Claim]:
    """Give the free slots of ``task`` to the people waiting, first in line first. Called inside
    the transaction that freed a slot (which already holds the task's row through its UPDATE of
    ``slots_taken``); writes the claims, and moves an open task that is now full to full. A task
    that has started takes nobody more: its list is closed. ``now``: the clock of the caller (the
    no-show sweep's), so a task ended by that clock promotes nobody."""
    now = now or timezone.now()
    fresh = Task.objects.get(pk=task.pk)
    if fresh.status not in CLAIMABLE or fresh.starts_at <= now:
        if fresh.status != Task.Status.CANCELLED:  # cancellation tells them itself
            waitlist_close(fresh, why=gettext_lazy("the task has started."))
        return []
    promoted = []
    while fresh.slots_taken < fresh.slots:
        entry = waitlist_people(fresh).first()
        if entry is None:
            break
        person = entry.user
        if not is_volunteer_of(person, fresh.community_id):
            _drop(entry, fresh, gettext_lazy("you are no longer a volunteer of its community."))
            continue
        lock_person(person)
        try:
            check_can_take(person, fresh, now)
        except ApplicationError as exc:
            _drop(entry, fresh, str(exc.message))
            continue
        if not take_slot(fresh, statuses=CLAIMABLE):
            break  # nothing free after all (cannot happen under the row lock; never overbook)
        entry.delete()
        claim = record_claim(task=fresh, user=person, actor=None, note="from the waiting list")
        promoted.append(claim)
        notify(
            user=person,
            kind="waitlist_promoted",
            code="waitlist_promoted",
            params={"task": fresh.title},
            url=reverse("tasks:detail", args=[fresh.pk]),
        )
        fresh.slots_taken += 1
    if promoted:
        announce_task(fresh.pk, "updated")
        if Task.objects.filter(pk=fresh.pk, status=Task.Status.OPEN, slots_taken__gte=F("slots")).exists():
            task_transition(task=fresh, to=Task.Status.FULL, actor=None, expected=Task.Status.OPEN)
    return promoted


@receiver(task_slots_added)
def promote_after_more_slots(sender, task: Task, **kwargs):
    """Staff added slots to a task (``marketplace.services.task_update``): in the same transaction,
    the people waiting take them."""
    waitlist_promote(task)


__all__ = [
    "waitlist_join",
    "waitlist_leave",
    "waitlist_promote",
    "waitlist_close",
    "waitlist_position",
    "waitlist_people",
]

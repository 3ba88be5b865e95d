"""Taking a slot of a task: the rules every new claim passes, whether a person asks for it
(``claim_create``) or is given it from the waiting list (``orders.services.waitlist``). Callers run
these inside their own transaction; nothing here commits."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import volunteer_memberships
from core.errors import Conflict
from marketplace.models import Task
from orders.models import Claim, ClaimStatusChange

# A task whose slots can still be taken (and whose waiting list still moves).
CLAIMABLE = (Task.Status.OPEN, Task.Status.FULL)


def lock_person(user: User) -> None:
    """Serialise one person's claims, so the duplicate and overlap checks cannot be raced past.
    (SQLite needs nothing: BEGIN IMMEDIATE already lets one writer in at a time.)"""
    if connection.features.has_select_for_update:
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def check_can_take(user: User, task: Task, now) -> None:
    """Refuse (409) a person who may not take a slot of ``task`` now: ``task_not_open``,
    ``already_claimed`` or ``overlapping_claim``. Run under ``lock_person(user)``."""
    if task.status not in CLAIMABLE or task.starts_at <= now:
        raise Conflict(_("This task is not open for claims."), code="task_not_open")
    if Claim.objects.filter(task=task, user=user, status__in=Claim.LIVE).exists():
        raise Conflict(_("You have already claimed this task."), code="already_claimed")
    overlapping = Claim.objects.filter(
        user=user, status__in=Claim.LIVE, task__starts_at__lt=task.ends_at, task__ends_at__gt=task.starts_at
    ).select_related("task").first()
    if overlapping is not None:
        raise Conflict(
            _("This overlaps with “%(task)s”, which you have already claimed.") % {"task": overlapping.task.title},
            code="overlapping_claim",
        )


@dataclass(frozen=True)
class Seen:
    """A task as a person about to take one of its slots sees it, before any lock: one query."""

    status: str
    starts_at: datetime
    slots: int
    slots_taken: int
    theirs: bool  # a live claim of theirs on it
    volunteer: bool  # they are a volunteer of its community


def seen_before_taking(user: User, task: Task) -> Seen | None:
    """The task read again (the caller's copy may be older than a slot freed since) with whether the
    slot is already the person's and whether they volunteer in its community: a latecomer to a full
    task (the 190 of a rush for 10 slots) costs the database one round trip. None if it is gone."""
    row = (
        Task.objects.filter(pk=task.pk)
        .annotate(
            theirs=Exists(Claim.objects.filter(task=OuterRef("pk"), user=user, status__in=Claim.LIVE)),
            volunteer=Exists(volunteer_memberships(user).filter(community_id=OuterRef("community_id"))),
        )
        .values_list("status", "starts_at", "slots", "slots_taken", "theirs", "volunteer")
        .first()
    )
    return Seen(*row) if row is not None else None


def refuse_if_seen_full(seen: Seen | None, now) -> None:
    """Before any lock or transaction: a task that was already full when it was seen is refused at
    once with ``task_full``, after ``already_claimed`` if the slot is theirs, as the locked path
    would say it. Anything else, the locked path (``check_can_take`` and ``take_slot``) decides."""
    if seen is None or seen.status not in CLAIMABLE or seen.starts_at <= now or seen.slots_taken < seen.slots:
        return
    if seen.theirs:
        raise Conflict(_("You have already claimed this task."), code="already_claimed")
    raise Conflict(_("Sorry, all slots of this task are taken."), code="task_full")


def take_slot(task: Task, *, statuses=(Task.Status.OPEN,)) -> bool:
    """The race this stops: overbooking. The test "a slot is free" and taking it are one UPDATE;
    of 50 concurrent claims for 5 slots, the 6th finds slots_taken = slots."""
    return bool(
        Task.objects.filter(pk=task.pk, status__in=statuses, slots_taken__lt=F("slots")).update(slots_taken=F("slots_taken") + 1)
    )


def record_claim(*, task: Task, user: User, organization: Organization | None = None, actor: User | None, note: str = "") -> Claim:
    """Write the claim of a slot already taken (``take_slot``), with the first line of its history."""
    try:
        with transaction.atomic():
            claim = Claim.objects.create(task=task, user=user, organization=organization)
    except IntegrityError:
        raise Conflict(_("You have already claimed this task."), code="already_claimed") from None
    ClaimStatusChange.objects.create(claim=claim, from_status="", to_status=Claim.Status.CLAIMED, actor=actor, note=note[:200])
    return claim

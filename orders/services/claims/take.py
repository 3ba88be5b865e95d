"""Taking a slot of a task and giving it back (withdrawing, the task cancelled, the account closed).

Guarantees: never more live claims than slots, never two live claims by one person on one task, and
never two claims by one person whose times overlap, also under concurrency; a refusal writes nothing."""

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationMember, User
from accounts.selectors import is_volunteer_of
from accounts.services import notify
from accounts.volunteers import volunteer_number_assign
from core.errors import Conflict, PermissionDenied
from marketplace.models import Task
from marketplace.realtime import announce_task
from marketplace.services import task_transition
from orders.models import Claim, WaitlistEntry
from orders.services.claims.common import claim_locked, claim_move, claim_refused, slot_release
from orders.services.slots import check_can_take, lock_person, record_claim, refuse_if_seen_full, seen_before_taking, take_slot
from orders.services.waitlist import waitlist_promote

__all__ = ["claim_create", "claim_withdraw", "claims_withdraw_for_cancelled_task", "claims_withdraw_for_closed_account"]


C = Claim.Status


def _lock_person(user: User) -> None:
    """Serialise one person's claims (``orders.services.slots.lock_person``)."""
    lock_person(user)


# --- Taking and giving back a slot -----------------------------------------------------------------
def claim_create(*, actor: User, task: Task, organization: Organization | None = None) -> Claim:
    """Take one slot of an open task: as a volunteer member of its community, or as a member of a
    verified organisation on its behalf. 409 ``task_full``, ``already_claimed``, ``task_not_open``
    or ``overlapping_claim``; nothing is written then."""
    if organization is not None:
        if organization.status != Organization.Status.VERIFIED:
            raise PermissionDenied(_("Only a verified organisation can take orders."), code="organization_not_verified")
        if not OrganizationMember.objects.filter(organization=organization, user=actor).exists():
            raise PermissionDenied(_("You are not a member of that organisation."), code="not_an_org_member")
    # Whether they volunteer there is read with the task's slots: one query for a latecomer.
    seen = seen_before_taking(actor, task)
    if organization is None and not (seen.volunteer if seen is not None else is_volunteer_of(actor, task.community_id)):
        raise PermissionDenied(_("Join this community as a volunteer to take its tasks."), code="not_a_volunteer")
    now = timezone.now()
    refuse_if_seen_full(seen, now)
    with transaction.atomic():
        _lock_person(actor)
        fresh = Task.objects.get(pk=task.pk)
        check_can_take(actor, fresh, now)
        if not take_slot(fresh):
            raise Conflict(_("Sorry, all slots of this task are taken."), code="task_full")
        claim = record_claim(task=fresh, user=actor, organization=organization, actor=actor)
        # Whoever takes a slot is no longer waiting for one (nobody is both).
        WaitlistEntry.objects.filter(task=fresh, user=actor).delete()
        # Whoever serves gets a volunteer number at their first claim, kept for good.
        volunteer_number_assign(user=actor)
        announce_task(fresh.pk, "updated")
        fresh.refresh_from_db(fields=["slots_taken", "slots", "status"])
        if fresh.slots_taken >= fresh.slots:
            task_transition(task=fresh, to=Task.Status.FULL, actor=None, expected=Task.Status.OPEN)
    return claim


def _free_slot(task: Task) -> None:
    Task.objects.filter(pk=task.pk, slots_taken__gt=0).update(slots_taken=F("slots_taken") - 1)
    # The first person waiting takes the slot in this same transaction, so it is never free for
    # anyone else in between, and two frees never give one place twice.
    waitlist_promote(task)
    announce_task(task.pk, "updated")
    if Task.objects.filter(pk=task.pk, status=Task.Status.FULL, slots_taken__lt=F("slots")).exists():
        task_transition(task=task, to=Task.Status.OPEN, actor=None, expected=Task.Status.FULL, note="slot freed")


def claim_withdraw(*, actor: User, claim: Claim) -> Claim:
    """The claimant gives the slot back before the task starts; it is free for others at once."""
    if claim.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who claimed it can withdraw."))
    with transaction.atomic():
        locked = claim_locked(claim)
        if locked.status == C.WITHDRAWN:
            return locked
        if locked.status != C.CLAIMED:
            raise claim_refused(locked, _("withdrawn"))
        if locked.task.starts_at <= timezone.now():
            raise Conflict(_("The task has started; it is too late to withdraw. Please tell the community staff."), code="too_late")
        claim_move(locked, to=C.WITHDRAWN, frm=(C.CLAIMED,), actor=actor)
        _free_slot(locked.task)
    return locked


def claims_withdraw_for_cancelled_task(*, task: Task, actor: User) -> int:
    """Withdraw the claims of a cancelled task that have not delivered yet, and tell their holders."""
    count = 0
    for claim in Claim.objects.select_for_update().filter(task=task, status__in=[C.CLAIMED, C.CHECKED_IN]).select_related("user"):
        if claim_move(claim, to=C.WITHDRAWN, frm=(C.CLAIMED, C.CHECKED_IN), actor=actor, note="task cancelled"):
            Task.objects.filter(pk=task.pk, slots_taken__gt=0).update(slots_taken=F("slots_taken") - 1)
            notify(
                user=claim.user,
                kind="task_cancelled",
                code="task_cancelled",
                params={"task": task.title},
                url=reverse("tasks:detail", args=[task.pk]),
            )
            count += 1
    return count


def claims_withdraw_for_closed_account(*, user: User) -> int:
    """Withdraw every claim of a person closing their account that has not been verified yet
    (claimed, checked in or submitted), freeing each slot. Runs inside the caller's transaction."""
    count = 0
    live = Claim.objects.select_for_update().filter(user=user, status__in=[C.CLAIMED, C.CHECKED_IN, C.SUBMITTED]).select_related("task")
    for claim in live:
        if claim_move(claim, to=C.WITHDRAWN, frm=(C.CLAIMED, C.CHECKED_IN, C.SUBMITTED), actor=user, note="account closed"):
            slot_release(claim.task)
            count += 1
    WaitlistEntry.objects.filter(user=user).delete()  # a closed account waits for nothing
    return count

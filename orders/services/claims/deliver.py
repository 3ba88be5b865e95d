"""Delivering a claim: check in and check out on site with the code staff show, submit the hours.
Every claim keeps the history of its status changes."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, PermissionDenied, ValidationFailed
from orders.models import Claim, ConfirmationMethod
from orders.services.claims.codes import checkin_code_check
from orders.services.claims.common import claim_locked, claim_move, claim_refused, hours_decimal, hours_parse, task_start_if_due
from orders.services.claims.confirm import confirmation_ask, confirmation_by_code_wanted, confirmation_record

__all__ = ["CHECKIN_OPENS_BEFORE_START", "CHECKOUT_CLOSES_AFTER_END", "claim_check_in", "claim_check_out", "claim_submit"]


C = Claim.Status


CHECKIN_OPENS_BEFORE_START = timedelta(minutes=30)


CHECKOUT_CLOSES_AFTER_END = timedelta(hours=1)


# --- Delivering: check in, check out, submit --------------------------------------------------------
def _own(actor: User, claim: Claim) -> None:
    if claim.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who claimed it can do this."))


def claim_check_in(*, actor: User, claim: Claim, code: str) -> Claim:
    """Check in on site with the code staff show, from 30 minutes before the start to the end."""
    _own(actor, claim)
    now = timezone.now()
    with transaction.atomic():
        locked = claim_locked(claim)
        task = locked.task
        if locked.status == C.CHECKED_IN:
            return locked
        if locked.status != C.CLAIMED:
            raise claim_refused(locked, _("checked in"))
        if not (task.starts_at - CHECKIN_OPENS_BEFORE_START <= now <= task.ends_at):
            raise Conflict(_("Check-in opens 30 minutes before the start and closes at the end."), code="outside_window")
        checkin_code_check(locked, code)
        claim_move(locked, to=C.CHECKED_IN, frm=(C.CLAIMED,), actor=actor, checked_in_at=now)
        # Not before the start: until then the task stays open, and its free slots claimable.
        task_start_if_due(task, now)
    return locked


def claim_check_out(*, actor: User, claim: Claim, code: str, beneficiary_code: str = "") -> Claim:
    """Check out with the code; the hours between check-in and check-out (within the task's time)
    are credited. 409 ``before_start`` before the task starts (it would credit 0 hours). With
    ``beneficiary_code`` (the code on the card of the person served) the service is confirmed too;
    a wrong one refuses the check-out (400 ``invalid_code``) and writes nothing."""
    _own(actor, claim)
    now = timezone.now()
    with transaction.atomic():
        locked = claim_locked(claim)
        task = locked.task
        if locked.status != C.CHECKED_IN:
            raise claim_refused(locked, _("checked out"))
        if locked.checked_out_at is not None:
            return locked
        if now > task.ends_at + CHECKOUT_CLOSES_AFTER_END:
            raise Conflict(_("Check-out closed an hour after the task ended. Submit your hours instead."), code="outside_window")
        if now < task.starts_at:
            # Checking out before the start would measure 0 hours and record them silently.
            raise Conflict(
                _("The task has not started yet: checking out now would record 0 hours. Check out when you finish the service."),
                code="before_start",
            )
        checkin_code_check(locked, code)
        confirming = confirmation_by_code_wanted(locked, beneficiary_code)
        start = max(locked.checked_in_at, task.starts_at)
        end = min(now, task.ends_at)
        credited = hours_decimal(max(0, (end - start).total_seconds()) / 3600)
        Claim.objects.filter(pk=locked.pk).update(checked_out_at=now, credited_hours=credited)
        locked.checked_out_at, locked.credited_hours = now, credited
        if confirming:
            confirmation_record(locked, actor=actor, method=ConfirmationMethod.CODE)
        task_start_if_due(task, now)  # everyone checked in early: the task is under way now
    return locked


def claim_submit(*, actor: User, claim: Claim, hours=None, note: str = "", beneficiary_code: str = "") -> Claim:
    """The claimant submits the service for verification, with a note; hours default to the
    credited hours and may not exceed the task's length. For a task with a beneficiary, the
    service is confirmed by ``beneficiary_code`` (their card's code) when given; otherwise the
    beneficiary and their guardians are asked to confirm it."""
    _own(actor, claim)
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationFailed(_("A note may have at most 2000 characters."), code="too_long", field="note")
    with transaction.atomic():
        locked = claim_locked(claim)
        if locked.status == C.SUBMITTED:
            return locked
        if locked.status != C.CHECKED_IN or locked.checked_out_at is None:
            if locked.status == C.CHECKED_IN:
                raise Conflict(_("Check out first, then submit."), code="not_checked_out")
            raise claim_refused(locked, _("submitted"))
        submitted = locked.credited_hours if hours is None else hours_parse(hours, field="hours")
        if submitted > locked.task.hours:
            raise ValidationFailed(
                _("At most %(n)s hours: the length of the task.") % {"n": locked.task.hours}, code="too_many_hours", field="hours"
            )
        confirming = confirmation_by_code_wanted(locked, beneficiary_code)
        # The note goes on the claim itself (staff read it where they verify), and into the history.
        if claim_move(locked, to=C.SUBMITTED, frm=(C.CHECKED_IN,), actor=actor, submitted_hours=submitted, note=note):
            Claim.objects.filter(pk=locked.pk).update(note=note)
            locked.note = note
            if confirming:
                confirmation_record(locked, actor=actor, method=ConfirmationMethod.CODE)
            if locked.awaits_confirmation:
                confirmation_ask(locked)
    return locked

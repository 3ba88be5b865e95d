"""Claims (接单) from sign-up to verified hours, and reviews of the service delivered.

Guarantees:
- never more live claims than slots, never two live claims by one person on one task, and never
  two claims by one person whose times overlap, also under concurrency;
- points for a verified claim are paid exactly once, whatever the retries;
- every claim keeps the history of its status changes;
- a refusal raises an ``ApplicationError`` and writes nothing.
"""

import logging
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.assistance import consent_note_clean
from accounts.models import Membership, Organization, OrganizationMember, User
from accounts.selectors import card_owner_by_code, guardians_of, is_community_staff, is_guardian_of
from accounts.services import notify
from accounts.volunteers import volunteer_number_assign
from core.errors import ApplicationError, Conflict, PermissionDenied, RateLimited, ValidationFailed
from core.masking import mask_name
from marketplace.models import Task
from marketplace.realtime import announce_task
from marketplace.services import checkin_code_is_valid, require_task_staff, task_transition
from orders.models import Claim, ClaimStatusChange, ConfirmationAnswer, ConfirmationMethod, Review, WaitlistEntry
from orders.selectors import claim_visible_to
from orders.services.slots import check_can_take, lock_person, record_claim, refuse_if_seen_full, take_slot
from orders.services.waitlist import waitlist_close, waitlist_promote
from points.services import points_award

C = Claim.Status
CHECKIN_OPENS_BEFORE_START = timedelta(minutes=30)
CHECKOUT_CLOSES_AFTER_END = timedelta(hours=1)
TWO_PLACES = Decimal("0.01")
# A 6-digit code must not be guessable: after this many wrong codes for one claim within the
# window, every code (even the right one) is refused for the window (429 too_many_attempts).
CODE_ATTEMPTS_LIMIT = 5
CODE_ATTEMPTS_WINDOW = timedelta(minutes=10)
logger = logging.getLogger(__name__)


def _hours(value) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _move(claim: Claim, *, to: str, frm: tuple[str, ...], actor: User | None, note: str = "", **fields) -> bool:
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


def _refused(claim: Claim, action: str):
    return Conflict(
        _("A claim that is %(status)s cannot be %(action)s.") % {"status": claim.get_status_display(), "action": action},
        code="invalid_transition",
    )


def _lock_person(user: User) -> None:
    """Serialise one person's claims (``orders.services.slots.lock_person``)."""
    lock_person(user)


def _locked_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("task", "task__community").get(pk=claim.pk)


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
    elif not Membership.objects.filter(user=actor, community_id=task.community_id, role=Membership.Role.VOLUNTEER).exists():
        raise PermissionDenied(_("Join this community as a volunteer to take its tasks."), code="not_a_volunteer")
    now = timezone.now()
    refuse_if_seen_full(actor, task, now)
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


def _release_slot(task: Task) -> None:
    """A claim that stops being live (rejected, no-show) no longer holds its slot, so that
    ``slots_taken`` keeps counting live claims. A full task reopens if it has not started (claims
    stay open until the start); one that has started is in progress if someone is on site."""
    Task.objects.filter(pk=task.pk, slots_taken__gt=0).update(slots_taken=F("slots_taken") - 1)
    waitlist_promote(task)  # before the start: the first person waiting takes it; after: the list closes
    announce_task(task.pk, "updated")
    fresh = Task.objects.only("status", "starts_at", "slots", "slots_taken").get(pk=task.pk)
    if fresh.status != Task.Status.FULL or fresh.slots_taken >= fresh.slots:
        return
    if fresh.starts_at > timezone.now() or not _start_if_due(fresh, timezone.now()):
        task_transition(task=fresh, to=Task.Status.OPEN, actor=None, expected=Task.Status.FULL, note="slot freed")


def _start_if_due(task: Task, now) -> bool:
    """An open or full task becomes in progress once it has started and someone is on site. Before
    its start a task stays open for claims, however early its first volunteer checks in."""
    if task.status not in (Task.Status.OPEN, Task.Status.FULL) or task.starts_at > now:
        return False
    if not Claim.objects.filter(task_id=task.pk, status__in=[C.CHECKED_IN, C.SUBMITTED, C.VERIFIED]).exists():
        return False
    return task_transition(task=task, to=Task.Status.IN_PROGRESS, actor=None, expected=task.status)


def claim_withdraw(*, actor: User, claim: Claim) -> Claim:
    """The claimant gives the slot back before the task starts; it is free for others at once."""
    if claim.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who claimed it can withdraw."))
    with transaction.atomic():
        locked = _locked_claim(claim)
        if locked.status == C.WITHDRAWN:
            return locked
        if locked.status != C.CLAIMED:
            raise _refused(locked, _("withdrawn"))
        if locked.task.starts_at <= timezone.now():
            raise Conflict(_("The task has started; it is too late to withdraw. Please tell the community staff."), code="too_late")
        _move(locked, to=C.WITHDRAWN, frm=(C.CLAIMED,), actor=actor)
        _free_slot(locked.task)
    return locked


def claims_withdraw_for_cancelled_task(*, task: Task, actor: User) -> int:
    """Withdraw the claims of a cancelled task that have not delivered yet, and tell their holders."""
    count = 0
    for claim in Claim.objects.select_for_update().filter(task=task, status__in=[C.CLAIMED, C.CHECKED_IN]).select_related("user"):
        if _move(claim, to=C.WITHDRAWN, frm=(C.CLAIMED, C.CHECKED_IN), actor=actor, note="task cancelled"):
            Task.objects.filter(pk=task.pk, slots_taken__gt=0).update(slots_taken=F("slots_taken") - 1)
            notify(
                user=claim.user,
                kind="task_cancelled",
                code="task_cancelled",
                params={"task": task.title},
                url=f"/tasks/{task.pk}/",
            )
            count += 1
    return count


def claims_withdraw_for_closed_account(*, user: User) -> int:
    """Withdraw every claim of a person closing their account that has not been verified yet
    (claimed, checked in or submitted), freeing each slot. Runs inside the caller's transaction."""
    count = 0
    live = Claim.objects.select_for_update().filter(user=user, status__in=[C.CLAIMED, C.CHECKED_IN, C.SUBMITTED]).select_related("task")
    for claim in live:
        if _move(claim, to=C.WITHDRAWN, frm=(C.CLAIMED, C.CHECKED_IN, C.SUBMITTED), actor=user, note="account closed"):
            _release_slot(claim.task)
            count += 1
    WaitlistEntry.objects.filter(user=user).delete()  # a closed account waits for nothing
    return count


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


# --- Delivering: check in, check out, submit --------------------------------------------------------
def _own(actor: User, claim: Claim) -> None:
    if claim.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who claimed it can do this."))


def _code_keys(claim: Claim) -> tuple[str, str]:
    return f"checkin-code:failures:{claim.pk}", f"checkin-code:locked:{claim.pk}"


def _check_attempts(claim: Claim, is_valid, *, keys: tuple[str, str], field: str, wrong_message: str) -> None:
    """Check a code typed for a claim, counting wrong codes per claim in the Django cache (Redis
    when scaled out), so every server process sees the same count: after ``CODE_ATTEMPTS_LIMIT``
    wrong codes within ``CODE_ATTEMPTS_WINDOW`` every code, even the right one, is refused for the
    window (429 ``too_many_attempts``). The count is kept outside the transaction: a refusal rolls
    the claim back, not the count. ``is_valid`` is called only when not locked."""
    failures_key, locked_key = keys
    window = int(CODE_ATTEMPTS_WINDOW.total_seconds())
    try:
        locked = cache.get(locked_key)
    except Exception:  # the cache is down: check-ins go on, unthrottled, and it is logged
        logger.warning("code attempts cannot be counted: the cache is unavailable", exc_info=True)
        locked = None
    if locked:
        raise RateLimited(
            _("Too many wrong codes. Wait %(n)d minutes, then try again.") % {"n": window // 60}
            if field != "code"
            else _("Too many wrong codes. Wait %(n)d minutes, then ask the staff on site for the current code.") % {"n": window // 60},
            code="too_many_attempts",
            field=field,
        )
    if is_valid():
        return
    try:
        cache.add(failures_key, 0, timeout=window)  # the window starts at the first wrong code
        if cache.incr(failures_key) >= CODE_ATTEMPTS_LIMIT:
            cache.set(locked_key, 1, timeout=window)
            cache.delete(failures_key)
    except ValueError:  # the count expired between add and incr: this is the first of a new window
        cache.set(failures_key, 1, timeout=window)
    except Exception:
        logger.warning("code attempts cannot be counted: the cache is unavailable", exc_info=True)
    raise ValidationFailed(wrong_message, code="invalid_code", field=field)


def _check_code(claim: Claim, code: str) -> None:
    """The check-in (or check-out) code staff show on site, throttled per claim."""
    _check_attempts(
        claim,
        lambda: checkin_code_is_valid(claim.task, code),
        keys=_code_keys(claim),
        field="code",
        wrong_message=_("The check-in code is wrong or has expired. Ask the staff on site for the current code."),
    )


def _check_beneficiary_code(claim: Claim, code: str) -> None:
    """The code of the beneficiary's current service card (or its QR code's content), typed by the
    volunteer: the same attempt limit as check-in codes, counted apart from them."""
    beneficiary_id = claim.task.beneficiary_id

    def valid() -> bool:
        owner = card_owner_by_code(code)
        return owner is not None and owner.pk == beneficiary_id

    _check_attempts(
        claim,
        valid,
        keys=(f"card-code:failures:{claim.pk}", f"card-code:locked:{claim.pk}"),
        field="beneficiary_code",
        wrong_message=_("That is not the service card of the person this service is for, or the card was renewed."),
    )


def claim_check_in(*, actor: User, claim: Claim, code: str) -> Claim:
    """Check in on site with the code staff show, from 30 minutes before the start to the end."""
    _own(actor, claim)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_claim(claim)
        task = locked.task
        if locked.status == C.CHECKED_IN:
            return locked
        if locked.status != C.CLAIMED:
            raise _refused(locked, _("checked in"))
        if not (task.starts_at - CHECKIN_OPENS_BEFORE_START <= now <= task.ends_at):
            raise Conflict(_("Check-in opens 30 minutes before the start and closes at the end."), code="outside_window")
        _check_code(locked, code)
        _move(locked, to=C.CHECKED_IN, frm=(C.CLAIMED,), actor=actor, checked_in_at=now)
        # Not before the start: until then the task stays open, and its free slots claimable.
        _start_if_due(task, now)
    return locked


def claim_check_out(*, actor: User, claim: Claim, code: str, beneficiary_code: str = "") -> Claim:
    """Check out with the code; the hours between check-in and check-out (within the task's time)
    are credited. 409 ``before_start`` before the task starts (it would credit 0 hours). With
    ``beneficiary_code`` (the code on the card of the person served) the service is confirmed too;
    a wrong one refuses the check-out (400 ``invalid_code``) and writes nothing."""
    _own(actor, claim)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_claim(claim)
        task = locked.task
        if locked.status != C.CHECKED_IN:
            raise _refused(locked, _("checked out"))
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
        _check_code(locked, code)
        confirming = _wants_code_confirmation(locked, beneficiary_code)
        start = max(locked.checked_in_at, task.starts_at)
        end = min(now, task.ends_at)
        credited = _hours(max(0, (end - start).total_seconds()) / 3600)
        Claim.objects.filter(pk=locked.pk).update(checked_out_at=now, credited_hours=credited)
        locked.checked_out_at, locked.credited_hours = now, credited
        if confirming:
            _record_confirmation(locked, actor=actor, method=ConfirmationMethod.CODE)
        _start_if_due(task, now)  # everyone checked in early: the task is under way now
    return locked


def _parse_hours(value, *, field: str) -> Decimal:
    """The one rule for hours typed by a person, on the pages and in the API alike: a number, not
    negative, with at most two decimals (0.10 is fine, 0.105 is not). The upper bound (the task's
    length) is the caller's. The page's field says the same: ``step="0.01" min="0"``."""
    try:
        raw = Decimal(str(value).strip())
        hours = _hours(raw)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Hours must be a number."), code="invalid_hours", field=field) from None
    if not raw.is_finite() or hours < 0:
        raise ValidationFailed(_("Hours cannot be negative."), code="invalid_hours", field=field)
    if raw != hours:
        raise ValidationFailed(_("Hours have at most two decimals, like 0.10 or 1.25."), code="invalid_hours", field=field)
    return hours


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
        locked = _locked_claim(claim)
        if locked.status == C.SUBMITTED:
            return locked
        if locked.status != C.CHECKED_IN or locked.checked_out_at is None:
            if locked.status == C.CHECKED_IN:
                raise Conflict(_("Check out first, then submit."), code="not_checked_out")
            raise _refused(locked, _("submitted"))
        submitted = locked.credited_hours if hours is None else _parse_hours(hours, field="hours")
        if submitted > locked.task.hours:
            raise ValidationFailed(
                _("At most %(n)s hours: the length of the task.") % {"n": locked.task.hours}, code="too_many_hours", field="hours"
            )
        confirming = _wants_code_confirmation(locked, beneficiary_code)
        # The note goes on the claim itself (staff read it where they verify), and into the history.
        if _move(locked, to=C.SUBMITTED, frm=(C.CHECKED_IN,), actor=actor, submitted_hours=submitted, note=note):
            Claim.objects.filter(pk=locked.pk).update(note=note)
            locked.note = note
            if confirming:
                _record_confirmation(locked, actor=actor, method=ConfirmationMethod.CODE)
            if locked.awaits_confirmation:
                _ask_to_confirm(locked)
    return locked


# --- Two-party confirmation -------------------------------------------------------------------------
def _wants_code_confirmation(claim: Claim, beneficiary_code: str) -> bool:
    """Whether a code typed by the volunteer is to confirm the claim now (checked here, before
    anything is written: a wrong code refuses the whole step)."""
    if not (beneficiary_code or "").strip() or claim.task.beneficiary_id is None or claim.confirmed_at is not None:
        return False
    _check_beneficiary_code(claim, beneficiary_code)
    return True


def _record_confirmation(
    claim: Claim, *, actor: User, method: str, consent_note: str = "", answer: str = ConfirmationAnswer.DONE, comment: str = ""
) -> bool:
    """Write the answer of the person served, who gave it, how and when, once: the conditional
    UPDATE lets only the first of two answers at once through (the second finds it set and is a
    no-op). Kept in the history. A card code typed by the volunteer is the confirmation of the
    person whose card it is: it is credited to them, and the history keeps who typed it."""
    now = timezone.now()
    by = claim.task.beneficiary if method == ConfirmationMethod.CODE else actor
    done = Claim.objects.filter(pk=claim.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_by=by, confirmation_method=method, consent_note=consent_note[:200],
        confirmation_answer=answer, confirmation_comment=comment[:500],
    )
    if not done:
        return False
    claim.confirmed_at, claim.confirmed_by, claim.confirmation_method, claim.consent_note = now, by, method, consent_note[:200]
    claim.confirmation_answer, claim.confirmation_comment = answer, comment[:500]
    verb = "confirmed" if answer == ConfirmationAnswer.DONE else "disputed: not done"
    note = f"{verb} ({method})" + (f": {consent_note}" if consent_note else "") + (f" — {comment}" if comment else "")
    ClaimStatusChange.objects.create(claim=claim, from_status=claim.status, to_status=claim.status, actor=actor, note=note[:200])
    if answer == ConfirmationAnswer.NOT_DONE:
        notify(
            user=claim.user,
            kind="claim_disputed",
            code="claim_disputed",
            params={"task": claim.task.title},
            url=f"/tasks/{claim.task_id}/",
        )
    elif method != ConfirmationMethod.CODE:
        notify(
            user=claim.user,
            kind="claim_confirmed",
            code="claim_confirmed",
            params={"task": claim.task.title},
            url=f"/tasks/{claim.task_id}/",
        )
    return True


def _ask_to_confirm(claim: Claim) -> None:
    """The beneficiary, and each guardian they named, get a link to a one-tap confirm page."""
    task = claim.task
    notify(
        user=task.beneficiary,
        kind="service_to_confirm",
        code="service_to_confirm",
        params={"task": task.title},
        url=f"/claims/{claim.pk}/confirm/",
    )
    for link in guardians_of(task.beneficiary):
        notify(
            user=link.guardian,
            kind="service_to_confirm",
            code="ward_service_to_confirm",
            params={"task": task.title, "name": mask_name(task.beneficiary.shown_name)},
            url=f"/claims/{claim.pk}/confirm/",
        )


def confirmation_method_for(*, actor: User, claim: Claim, beneficiary_code: str = "") -> str:
    """How ``actor`` may confirm ``claim``: as the person served, their guardian, the volunteer
    with the card's code, or staff of the task's community; 403 ``not_beneficiary`` otherwise."""
    task = claim.task
    if task.beneficiary_id is None:
        raise Conflict(_("This task has no beneficiary: nothing to confirm."), code="no_beneficiary")
    if actor.pk == task.beneficiary_id:
        return ConfirmationMethod.SELF
    if is_guardian_of(actor, task.beneficiary_id):
        return ConfirmationMethod.GUARDIAN
    if actor.pk == claim.user_id:
        if not (beneficiary_code or "").strip():
            raise ValidationFailed(
                _("Type the code on the service card of the person you served."), code="required", field="beneficiary_code"
            )
        return ConfirmationMethod.CODE
    if is_community_staff(actor, task.community_id):
        return ConfirmationMethod.STAFF
    raise PermissionDenied(_("Only the person served, their guardian or staff can confirm this service."), code="not_beneficiary")


def _answer_of(answer) -> str:
    answer = (answer or ConfirmationAnswer.DONE).strip() if isinstance(answer, str) else answer
    if answer not in ConfirmationAnswer.values:
        raise ValidationFailed(_("Answer done or not_done."), code="invalid_answer", field="answer")
    return answer


def claim_confirm(
    *, actor: User, claim: Claim, consent_note: str = "", beneficiary_code: str = "", answer: str = ConfirmationAnswer.DONE, comment: str = ""
) -> tuple[Claim, bool]:
    """The person served answers whether the service happened: themselves, a guardian they named,
    staff of the task's community on their behalf (with a consent note), or the volunteer with the
    code of their service card (which can only say "done"). 409 ``too_early`` before the task has
    started. ``answer="not_done"`` sends the claim to staff as disputed: verification answers 409
    ``disputed`` until staff settle it with a reason. Returns (claim, already_answered): a second
    answer changes nothing. Staff may verify a claim with a beneficiary only once it is answered."""
    answer = _answer_of(answer)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationFailed(_("A comment may have at most 500 characters."), code="too_long", field="comment")
    method = confirmation_method_for(actor=actor, claim=claim, beneficiary_code=beneficiary_code)
    if method == ConfirmationMethod.CODE and answer != ConfirmationAnswer.DONE:
        raise ValidationFailed(_("Only the person served can say the service did not happen."), code="invalid_answer", field="answer")
    note = consent_note_clean(consent_note) if method == ConfirmationMethod.STAFF else ""
    with transaction.atomic():
        locked = _locked_claim(claim)
        if locked.confirmed_at is not None:
            return locked, True
        if locked.status not in (C.CHECKED_IN, C.SUBMITTED):
            raise Conflict(
                _("A claim that is %(status)s cannot be confirmed.") % {"status": locked.get_status_display()}, code="invalid_transition"
            )
        if timezone.now() < locked.task.starts_at:
            raise Conflict(
                _("The service starts at %(start)s: it can be confirmed once it has started.")
                % {"start": timezone.localtime(locked.task.starts_at).strftime("%Y-%m-%d %H:%M")},
                code="too_early",
            )
        if method == ConfirmationMethod.CODE:
            _check_beneficiary_code(locked, beneficiary_code)
        if not _record_confirmation(locked, actor=actor, method=method, consent_note=note, answer=answer, comment=comment):
            locked.refresh_from_db()
            return locked, True
    return locked, False


# --- Staff: verify or reject ------------------------------------------------------------------------
def _staff_of_claim(actor: User, claim: Claim) -> None:
    if not is_community_staff(actor, claim.task.community_id):
        raise PermissionDenied(_("Only staff of the task's community can do this."))
    if claim.user_id == actor.pk:
        raise PermissionDenied(_("You cannot verify or reject your own claim."), code="own_claim")


def _settle_dispute(claim: Claim, *, actor: User, reason: str, now) -> None:
    """Staff settle a dispute (the person served said the service did not happen) with a reason,
    by verifying or rejecting the claim; kept on the claim and in its history."""
    Claim.objects.filter(pk=claim.pk).update(dispute_settled_at=now, dispute_reason=reason[:200])
    claim.dispute_settled_at, claim.dispute_reason = now, reason[:200]
    ClaimStatusChange.objects.create(claim=claim, from_status=claim.status, to_status=claim.status, actor=actor, note=f"dispute settled: {reason}"[:200])


def claim_verify(*, actor: User, claim: Claim, hours=None, honour_hours=None, settle_reason: str = "") -> Claim:
    """Staff confirm the service was delivered: the task's points are paid to the volunteer,
    exactly once, whatever the retries. The hours recorded are ``hours`` when staff give them, or
    else the volunteer's claimed hours, or else the measured ones (``Claim.hours_to_record``);
    never more than the task's length. Honour hours (optional) are kept apart."""
    _staff_of_claim(actor, claim)
    with transaction.atomic():
        locked = _locked_claim(claim)
        task = locked.task
        if locked.status == C.VERIFIED:
            return locked  # a retry: the points were paid by the first verification
        if locked.status != C.SUBMITTED:
            raise _refused(locked, _("verified"))
        if locked.awaits_confirmation:
            raise Conflict(
                _("The person served has not confirmed this service yet."), code="awaiting_confirmation"
            )
        settle_reason = (settle_reason or "").strip()
        if locked.is_disputed and not settle_reason:
            raise Conflict(
                _("The person served said this service did not happen. Check with them and the volunteer, then give the reason you verify it."),
                code="disputed",
            )
        recorded = locked.hours_to_record if hours is None else _parse_hours(hours, field="hours")
        honour = Decimal("0") if honour_hours is None else _parse_hours(honour_hours, field="honour_hours")
        for value, field in ((recorded, "hours"), (honour, "honour_hours")):
            if value > task.hours:
                raise ValidationFailed(_("At most %(n)s hours: the length of the task.") % {"n": task.hours}, code="too_many_hours", field=field)
        now = timezone.now()
        if locked.is_disputed:
            _settle_dispute(locked, actor=actor, reason=settle_reason, now=now)
        if not _move(
            locked, to=C.VERIFIED, frm=(C.SUBMITTED,), actor=actor, verified_by=actor, verified_at=now, hours=recorded, honour_hours=honour
        ):
            locked.refresh_from_db()
            return locked
        awarded = 0
        if task.points:
            result = points_award(
                actor=actor,
                community=task.community,
                user=locked.user,
                amount=task.points,
                idempotency_key=f"claim:{locked.pk}:verify",
                memo_code="points_service",
                memo_params={"task": task.title},
                subject=locked,
            )
            awarded = result.awarded
            Claim.objects.filter(pk=locked.pk).update(points_awarded=awarded)
            locked.points_awarded = awarded
        notify(
            user=locked.user,
            kind="claim_verified",
            code="claim_verified",
            params={"task": task.title, "hours": str(recorded), "points": awarded},
            url="/points/",
        )
        if task.beneficiary_id:
            # The person the service was for is asked straight away, with a link to rate it.
            notify(
                user=task.beneficiary,
                kind="service_to_rate",
                code="service_to_rate",
                params={"task": task.title},
                url=f"/claims/{locked.pk}/rate/",
            )
            for link in guardians_of(task.beneficiary):
                notify(
                    user=link.guardian,
                    kind="service_to_rate",
                    code="ward_service_to_rate",
                    params={"task": task.title, "name": mask_name(task.beneficiary.shown_name)},
                    url=f"/claims/{locked.pk}/rate/",
                )
    return locked


VERIFY_MANY_LIMIT = 200


def claims_verify_many(*, actor: User, claim_ids, hours=None) -> tuple[list[int], list[dict]]:
    """Staff verify several submitted claims at once: each through ``claim_verify``, in its own
    transaction, so each is verified and paid once whatever the retries (a claim already verified
    counts as verified again and pays nothing more), and one refusal does not undo the others.
    Returns (verified ids, skipped ``{id, code, message}``); a claim the caller may not know about
    is skipped as ``claim_not_found``."""
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise ValidationFailed(_("Select at least one claim."), code="required", field="claim_ids")
    if len(ids) > VERIFY_MANY_LIMIT:
        raise ValidationFailed(
            _("At most %(n)d claims at once.") % {"n": VERIFY_MANY_LIMIT}, code="too_many_claims", field="claim_ids"
        )
    if hours is not None:
        _parse_hours(hours, field="hours")  # a malformed number refuses the whole request
    claims = {c.pk: c for c in Claim.objects.select_related("task", "task__community").filter(pk__in=ids)}
    verified, skipped = [], []
    for claim_id in ids:
        claim = claims.get(claim_id)
        if claim is None or not claim_visible_to(claim, actor):
            skipped.append({"id": claim_id, "code": "claim_not_found", "message": _("Not found.")})
            continue
        try:
            claim_verify(actor=actor, claim=claim, hours=hours)
        except ApplicationError as exc:
            skipped.append({"id": claim_id, "code": exc.code, "message": str(exc.message)})
        else:
            verified.append(claim_id)
    return verified, skipped


def claim_reject(*, actor: User, claim: Claim, reason: str) -> Claim:
    _staff_of_claim(actor, claim)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the claim is rejected."), code="required", field="reason")
    with transaction.atomic():
        locked = _locked_claim(claim)
        if locked.status == C.REJECTED:
            return locked
        if locked.status not in (C.SUBMITTED, C.CHECKED_IN):
            raise _refused(locked, _("rejected"))
        if locked.is_disputed:  # rejecting settles a dispute the other way, with the same reason
            _settle_dispute(locked, actor=actor, reason=reason, now=timezone.now())
        if _move(locked, to=C.REJECTED, frm=(C.SUBMITTED, C.CHECKED_IN), actor=actor, note=reason, reject_reason=reason[:200]):
            _release_slot(locked.task)
        notify(
            user=locked.user,
            kind="claim_rejected",
            code="claim_rejected",
            params={"task": locked.task.title, "reason": reason[:100]},
            url=f"/tasks/{locked.task_id}/",
        )
    return locked


def claims_mark_no_shows(*, now=None) -> tuple[int, int]:
    """Claims never checked in by the task's end become no-shows; open tasks that ended with
    nobody checked in expire; open tasks under way with someone on site become in progress. Safe to run twice, and from cron while the site is in use."""
    now = now or timezone.now()
    no_shows = 0
    for claim in Claim.objects.filter(status=C.CLAIMED, task__ends_at__lt=now).select_related("task"):
        with transaction.atomic():
            locked = _locked_claim(claim)
            if _move(locked, to=C.NO_SHOW, frm=(C.CLAIMED,), actor=None, note="not checked in by the end"):
                _release_slot(locked.task)
                no_shows += 1
    # Tasks whose volunteers all checked in before the start stayed open until it: under way now.
    for task in Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], starts_at__lte=now, ends_at__gte=now):
        with transaction.atomic():
            _start_if_due(task, now)
    expired = 0
    ended = Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], ends_at__lt=now)
    for task in ended:
        with transaction.atomic():
            delivered = Claim.objects.filter(task=task, status__in=[C.CHECKED_IN, C.SUBMITTED, C.VERIFIED]).exists()
            to = Task.Status.DONE if delivered else Task.Status.EXPIRED
            expired += task_transition(task=task, to=to, actor=None, expected=task.status) and to == Task.Status.EXPIRED
    return no_shows, expired


# --- Reviews -------------------------------------------------------------------------------------
def review_check_author(*, actor: User, claim: Claim, on_behalf_of: int | None = None) -> str:
    """How ``actor`` may review ``claim``: ``""`` as its beneficiary, ``"guardian"`` as a guardian
    they named, ``"staff"`` as staff of the task's community entering it on their behalf (代录);
    raises ``not_beneficiary`` otherwise. ``on_behalf_of``, when given, must name the beneficiary."""
    task = claim.task
    if task.beneficiary_id is None:
        raise PermissionDenied(_("This task has no beneficiary to review it."), code="not_beneficiary")
    if actor.pk == task.beneficiary_id and on_behalf_of is None:
        return ""
    if is_community_staff(actor, task.community_id) and actor.pk != task.beneficiary_id:
        entered_as = "staff"
    elif is_guardian_of(actor, task.beneficiary_id):
        entered_as = "guardian"
    elif on_behalf_of is not None:
        raise PermissionDenied(_("Only community staff can act on a resident's behalf."), code="not_staff")
    else:
        raise PermissionDenied(_("Only the person the service was for can review it."), code="not_beneficiary")
    if on_behalf_of is not None and on_behalf_of != task.beneficiary_id:
        raise ValidationFailed(_("This service was for someone else."), code="not_beneficiary", field="on_behalf_of")
    return entered_as


def review_create(
    *, actor: User, claim: Claim, stars: int, comment: str = "", on_behalf_of: int | None = None, consent_note: str = ""
) -> Review:
    """The beneficiary of a verified (and, where it has a beneficiary, confirmed) claim rates it
    once; a guardian they named may rate it for them, and staff of the community may enter it on
    their behalf with a consent note. Who entered it is recorded and shown."""
    task = claim.task
    entered_as = review_check_author(actor=actor, claim=claim, on_behalf_of=on_behalf_of)
    note = consent_note_clean(consent_note) if entered_as == "staff" else ""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ValidationFailed(_("Give 1 to 5 stars."), code="invalid_stars", field="stars")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationFailed(_("A comment may have at most 2000 characters."), code="too_long", field="comment")
    if claim.status != C.VERIFIED:
        raise Conflict(_("Only a verified service can be reviewed."), code="claim_not_verified")
    if claim.awaits_confirmation:
        raise Conflict(_("The person served has not confirmed this service yet."), code="awaiting_confirmation")
    already = Conflict(_("This service has already been reviewed."), code="already_reviewed")
    if Review.objects.filter(claim=claim).exists():
        raise already
    try:
        with transaction.atomic():
            return Review.objects.create(
                claim=claim,
                provider_id=claim.user_id,
                organization_id=claim.organization_id,
                author_id=task.beneficiary_id,
                entered_by=actor if entered_as else None,
                entered_as=entered_as,
                consent_note=note,
                stars=stars,
                comment=comment,
            )
    except IntegrityError:
        raise already from None


def review_community_id(review: Review) -> int:
    """The community whose staff moderate a review: the task's for a claim's review, the project's
    for a contract's (a review is of exactly one of them)."""
    if review.claim_id is not None:
        return review.claim.task.community_id
    return review.contract.project.community_id


def review_hide(*, actor: User, review: Review, reason: str) -> Review:
    """Staff hide an abusive review, with a reason. It is kept, not deleted."""
    if not is_community_staff(actor, review_community_id(review)):
        raise PermissionDenied(_("Only staff of this community can moderate its reviews."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the review is hidden."), code="required", field="reason")
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(hidden=True, hidden_reason=reason[:200], hidden_by=actor, hidden_at=timezone.now())
    review.refresh_from_db()
    return review



__all__ = [
    "claim_create",
    "claim_withdraw",
    "claims_withdraw_for_cancelled_task",
    "claims_withdraw_for_closed_account",
    "task_cancel",
    "claim_check_in",
    "claim_check_out",
    "claim_submit",
    "claim_confirm",
    "confirmation_method_for",
    "claim_verify",
    "claims_verify_many",
    "claim_reject",
    "claims_mark_no_shows",
    "review_check_author",
    "review_create",
    "review_hide",
    "review_community_id",
]

"""Corrections (更正) of a verified claim's recorded hours: the volunteer asks, with a reason; staff
of the task's community approve or refuse, with a reply.

Guarantees:
- at most one pending correction per claim, also under concurrency (a partial unique index);
- an approval changes ``Claim.hours`` (what the volunteer record counts) in the same transaction
  as the decision; the request and the decision are both rows of the claim's history;
- points are not touched: they are paid per task (``Task.points``), not per hour, so a change of
  hours changes no ledger line (the ledger is never edited in any case);
- the volunteer is notified of the decision, staff of the request.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from orders.models import Claim, ClaimCorrection, ClaimStatusChange
from orders.services.claims.common import claim_locked, hours_decimal

__all__ = ["CORRECTION_MARGIN_HOURS", "correction_decide", "correction_request"]

# A correction may ask for more than the task's planned length (the service ran over), but not
# for more than this beyond it.
CORRECTION_MARGIN_HOURS = Decimal("2.00")
K = ClaimCorrection.Status


def _requested_hours(value, claim: Claim) -> Decimal:
    try:
        hours = hours_decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationFailed(_("Hours must be a number."), code="invalid_hours", field="hours") from None
    limit = claim.task.hours + CORRECTION_MARGIN_HOURS
    if not hours.is_finite() or hours <= 0 or hours > limit:
        raise ValidationFailed(
            _("Hours must be more than 0 and at most %(n)s (the task's length plus %(m)s).") % {"n": limit, "m": CORRECTION_MARGIN_HOURS},
            code="invalid_hours",
            field="hours",
        )
    return hours


def correction_request(*, actor: User, claim: Claim, hours, reason: str) -> ClaimCorrection:
    """The claimant asks for the recorded hours of a verified claim to be corrected. 409
    ``claim_not_verified`` or ``correction_pending``; 400 ``invalid_hours`` or ``required``."""
    if claim.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who claimed it can ask for a correction."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the hours should be corrected."), code="required", field="reason")
    if len(reason) > 1000:
        raise ValidationFailed(_("A reason may have at most 1000 characters."), code="too_long", field="reason")
    requested = _requested_hours(hours, claim)
    with transaction.atomic():
        locked = claim_locked(claim)
        if locked.status != Claim.Status.VERIFIED:
            raise Conflict(_("Only the hours of a verified service can be corrected."), code="claim_not_verified")
        recorded = locked.hours if locked.hours is not None else locked.hours_to_record
        if requested == recorded:
            raise ValidationFailed(_("These are already the hours recorded."), code="invalid_hours", field="hours")
        if ClaimCorrection.objects.filter(claim=locked, status=K.PENDING).exists():
            raise Conflict(_("A correction of this service is already waiting for staff."), code="correction_pending")
        try:
            with transaction.atomic():
                correction = ClaimCorrection.objects.create(
                    claim=locked, requested_by=actor, hours_before=recorded, hours=requested, reason=reason
                )
        except IntegrityError:  # the race: two requests at once; the partial unique index let one in
            raise Conflict(_("A correction of this service is already waiting for staff."), code="correction_pending") from None
        ClaimStatusChange.objects.create(
            claim=locked, from_status=locked.status, to_status=locked.status, actor=actor,
            note=(_("Correction asked: %(old)s → %(new)s h. %(reason)s") % {"old": recorded, "new": requested, "reason": reason})[:200],
        )
        staff = User.objects.filter(
            memberships__community_id=locked.task.community_id, memberships__role=Membership.Role.STAFF, is_active=True
        ).distinct()
        for person in staff:
            if person.pk != actor.pk:
                notify(
                    user=person,
                    kind="correction_requested",
                    code="correction_requested",
                    params={"name": actor.shown_name, "task": locked.task.title, "old": str(recorded), "new": str(requested)},
                    url="/claims/corrections/",
                )
    return correction


def correction_decide(*, actor: User, correction: ClaimCorrection, approve: bool, reply: str = "") -> ClaimCorrection:
    """Staff of the task's community approve (the recorded hours change) or refuse (a reply is
    required) a pending correction. The same decision again is a retry; the other one is 409
    ``correction_decided``."""
    claim = correction.claim
    if not is_community_staff(actor, claim.task.community_id):
        raise PermissionDenied(_("Only staff of the task's community can do this."))
    if claim.user_id == actor.pk:
        raise PermissionDenied(_("You cannot decide on a correction of your own service."), code="own_claim")
    reply = (reply or "").strip()
    if len(reply) > 500:
        raise ValidationFailed(_("A reply may have at most 500 characters."), code="too_long", field="reply")
    if not approve and not reply:
        raise ValidationFailed(_("Say why the correction is refused."), code="required", field="reply")
    to = K.APPROVED if approve else K.REFUSED
    with transaction.atomic():
        locked_claim = claim_locked(claim)
        locked = ClaimCorrection.objects.select_for_update().get(pk=correction.pk)
        if locked.status == to:
            return locked  # a retry of the same decision
        if locked.status != K.PENDING:
            raise Conflict(_("This correction has already been decided."), code="correction_decided")
        now = timezone.now()
        ClaimCorrection.objects.filter(pk=locked.pk, status=K.PENDING).update(status=to, reply=reply, decided_by=actor, decided_at=now)
        locked.status, locked.reply, locked.decided_by, locked.decided_at = to, reply, actor, now
        if approve:
            Claim.objects.filter(pk=locked_claim.pk).update(hours=locked.hours)
            note = _("Correction approved: %(old)s → %(new)s h. %(reply)s") % {"old": locked_claim.hours, "new": locked.hours, "reply": reply}
            code = "correction_approved"
        else:
            note = _("Correction refused. %(reply)s") % {"reply": reply}
            code = "correction_refused"
        ClaimStatusChange.objects.create(
            claim=locked_claim, from_status=locked_claim.status, to_status=locked_claim.status, actor=actor, note=note.strip()[:200]
        )
        notify(
            user=locked_claim.user,
            kind="correction_decided",
            code=code,
            params={"task": locked_claim.task.title, "hours": str(locked.hours), "reply": reply},
            url=f"/tasks/{locked_claim.task_id}/",
        )
    return locked

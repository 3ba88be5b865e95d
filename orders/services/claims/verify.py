"""Staff verify a submitted claim (points paid exactly once, whatever the retries), verify many at once,
or reject one; a disputed claim is settled by either."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import guardians_of, is_community_staff
from accounts.services import notify
from core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from core.masking import mask_name
from orders.models import Claim, ClaimStatusChange
from orders.selectors import claim_visible_to
from orders.services.claims.common import claim_locked, claim_move, claim_refused, hours_parse, slot_release
from points.services import points_award

__all__ = ["claim_verify", "VERIFY_MANY_LIMIT", "claims_verify_many", "claim_reject"]


C = Claim.Status


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
        locked = claim_locked(claim)
        task = locked.task
        if locked.status == C.VERIFIED:
            return locked  # a retry: the points were paid by the first verification
        if locked.status != C.SUBMITTED:
            raise claim_refused(locked, _("verified"))
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
        recorded = locked.hours_to_record if hours is None else hours_parse(hours, field="hours")
        honour = Decimal("0") if honour_hours is None else hours_parse(honour_hours, field="honour_hours")
        for value, field in ((recorded, "hours"), (honour, "honour_hours")):
            if value > task.hours:
                raise ValidationFailed(_("At most %(n)s hours: the length of the task.") % {"n": task.hours}, code="too_many_hours", field=field)
        now = timezone.now()
        if locked.is_disputed:
            _settle_dispute(locked, actor=actor, reason=settle_reason, now=now)
        if not claim_move(
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
        hours_parse(hours, field="hours")  # a malformed number refuses the whole request
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
        locked = claim_locked(claim)
        if locked.status == C.REJECTED:
            return locked
        if locked.status not in (C.SUBMITTED, C.CHECKED_IN):
            raise claim_refused(locked, _("rejected"))
        if locked.is_disputed:  # rejecting settles a dispute the other way, with the same reason
            _settle_dispute(locked, actor=actor, reason=reason, now=timezone.now())
        if claim_move(locked, to=C.REJECTED, frm=(C.SUBMITTED, C.CHECKED_IN), actor=actor, note=reason, reject_reason=reason[:200]):
            slot_release(locked.task)
        notify(
            user=locked.user,
            kind="claim_rejected",
            code="claim_rejected",
            params={"task": locked.task.title, "reason": reason[:100]},
            url=f"/tasks/{locked.task_id}/",
        )
    return locked

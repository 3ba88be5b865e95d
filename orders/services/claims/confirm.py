"""The beneficiary (or a guardian) confirms that the service took place: by the service card's code at
check-out or submission, or by answering afterwards."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.assistance.services import consent_note_clean
from accounts.models import User
from accounts.selectors import guardians_of, is_community_staff, is_guardian_of
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.masking import mask_name
from orders.models import Claim, ClaimStatusChange, ConfirmationAnswer, ConfirmationMethod
from orders.services.claims.codes import beneficiary_code_check
from orders.services.claims.common import claim_locked

__all__ = ["confirmation_by_code_wanted", "confirmation_record", "confirmation_ask", "confirmation_method_for", "claim_confirm"]


C = Claim.Status


# --- Two-party confirmation -------------------------------------------------------------------------
def confirmation_by_code_wanted(claim: Claim, beneficiary_code: str) -> bool:
    """Whether a code typed by the volunteer is to confirm the claim now (checked here, before
    anything is written: a wrong code refuses the whole step)."""
    if not (beneficiary_code or "").strip() or claim.task.beneficiary_id is None or claim.confirmed_at is not None:
        return False
    beneficiary_code_check(claim, beneficiary_code)
    return True


def confirmation_record(
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


def confirmation_ask(claim: Claim) -> None:
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
        locked = claim_locked(claim)
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
            beneficiary_code_check(locked, beneficiary_code)
        if not confirmation_record(locked, actor=actor, method=method, consent_note=note, answer=answer, comment=comment):
            locked.refresh_from_db()
            return locked, True
    return locked, False

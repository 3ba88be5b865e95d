"""Reviews of the service delivered: who may write one (the beneficiary or a guardian), and hiding one."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.assistance.services import consent_note_clean
from accounts.models import User
from accounts.selectors import is_community_staff, is_guardian_of
from core.errors import Conflict, PermissionDenied, ValidationFailed
from orders.models import Claim, Review

__all__ = ["review_check_author", "review_create", "review_community_id", "review_hide"]


C = Claim.Status


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

"""Community consultation (协商议事): staff open a topic with options and a closing time; resident
members comment and vote once (changing their vote until it closes); the decision is recorded."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Comment, Consultation, ConsultationCategory, ConsultationOption, Need, Vote
from marketplace.services.needs import need_event_record, need_mark_in_progress

MAX_OPTIONS = 10


def consultation_open(
    *,
    actor: User,
    community: Community,
    title: str,
    options: list[str],
    closes_at: datetime,
    description: str = "",
    need: Need | None = None,
    category: str = ConsultationCategory.OTHER,
) -> Consultation:
    """Staff open a topic for their community, optionally for a need (which then is in progress)."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can open a consultation."))
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ValidationFailed(_("Give the topic a title of at most 120 characters."), code="required", field="title")
    labels = []
    for raw in options or []:
        label = (raw or "").strip()
        if label and label not in labels:
            if len(label) > 120:
                raise ValidationFailed(_("An option may have at most 120 characters."), code="too_long", field="options")
            labels.append(label)
    if not 2 <= len(labels) <= MAX_OPTIONS:
        raise ValidationFailed(_("Give between 2 and %(n)d different options.") % {"n": MAX_OPTIONS}, code="invalid_options", field="options")
    if timezone.is_naive(closes_at) or closes_at <= timezone.now() + timedelta(minutes=5):
        raise ValidationFailed(_("The closing time must be in the future (with its time zone)."), code="invalid_time", field="closes_at")
    if need is not None and need.community_id != community.pk:
        raise ValidationFailed(_("The need belongs to another community."), code="invalid_need", field="need_id")
    if category not in ConsultationCategory.values:
        raise ValidationFailed(_("Choose a category."), code="invalid_category", field="category")
    with transaction.atomic():
        consultation = Consultation.objects.create(
            community=community, need=need, title=title, category=category, description=(description or "").strip(), closes_at=closes_at,
            created_by=actor,
        )
        ConsultationOption.objects.bulk_create(
            [ConsultationOption(consultation=consultation, label=label, position=i) for i, label in enumerate(labels)]
        )
        if need is not None:
            need_mark_in_progress(actor=actor, need=need, note_code="need_consultation_opened", note_params={"title": title})
    return consultation


def _resident_of(actor: User, consultation: Consultation) -> None:
    if not Membership.objects.filter(user=actor, community_id=consultation.community_id, role=Membership.Role.RESIDENT).exists():
        raise PermissionDenied(_("Only residents of this community can take part."), code="not_a_resident")


def _still_open(consultation: Consultation) -> None:
    if not consultation.is_open():
        raise Conflict(_("This consultation has closed."), code="consultation_closed")


def consultation_vote(*, actor: User, consultation: Consultation, option: ConsultationOption) -> Vote:
    """A resident votes, or changes their vote, until the topic closes. One vote per resident."""
    _resident_of(actor, consultation)
    if option.consultation_id != consultation.pk:
        raise ValidationFailed(_("That option belongs to another topic."), code="invalid_option", field="option_id")
    _still_open(consultation)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                vote, _created = Vote.objects.update_or_create(consultation=consultation, user=actor, defaults={"option": option})
                return vote
        except IntegrityError:
            continue  # a double click inserted the row first; the second pass updates it
    raise Conflict(_("Please try again."), code="conflict")


def consultation_comment(*, actor: User, consultation: Consultation, body: str) -> Comment:
    if not is_community_staff(actor, consultation.community_id):
        _resident_of(actor, consultation)
    _still_open(consultation)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write something first."), code="required", field="body")
    if len(body) > 2000:
        raise ValidationFailed(_("A comment may have at most 2000 characters."), code="too_long", field="body")
    return Comment.objects.create(consultation=consultation, author=actor, body=body)


def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Staff hide an abusive comment with a reason; it is kept, not deleted."""
    if not is_community_staff(actor, comment.consultation.community_id):
        raise PermissionDenied(_("Only staff of this community can moderate its consultations."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the comment is hidden."), code="required", field="reason")
    Comment.objects.filter(pk=comment.pk).update(hidden=True, hidden_reason=reason[:200], hidden_by=actor)
    comment.refresh_from_db()
    return comment


def consultation_decide(*, actor: User, consultation: Consultation, decision: str) -> Consultation:
    """After closing, staff record the decision or agreement, on the topic and on its need."""
    if not is_community_staff(actor, consultation.community_id):
        raise PermissionDenied(_("Only staff of this community can record the decision."))
    if consultation.is_open():
        raise Conflict(_("Record the decision after voting closes."), code="consultation_open")
    decision = (decision or "").strip()
    if not decision:
        raise ValidationFailed(_("Write the decision or agreement."), code="required", field="decision")
    with transaction.atomic():
        Consultation.objects.filter(pk=consultation.pk).update(decision=decision[:5000], decided_by=actor, decided_at=timezone.now())
        consultation.refresh_from_db()
        if consultation.need_id:
            need = consultation.need
            need_event_record(
                need=need, from_status=need.status, to=need.status, actor=actor,
                note_code="need_consultation_decided", note_params={"decision": decision[:1800]},
            )
    return consultation


__all__ = ["consultation_open", "consultation_vote", "consultation_comment", "comment_hide", "consultation_decide"]

"""Stewards (百姓管家) and the issues they collect.

Guarantees: a steward is a resident of the community, appointed once (409 ``already_steward``,
also when two staff appoint her at once: the unique constraint decides); an issue is collected by
a steward or staff, from their own words or from a resident's need of the same community."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import is_community_staff, is_resident_of
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from deliberation.models import Issue, Steward
from deliberation.selectors import is_steward
from deliberation.services.common import clean_text, require_staff
from marketplace.models import ConsultationCategory, Need
from marketplace.services import consultation_open

__all__ = ["steward_appoint", "steward_remove", "issue_collect", "issue_consult"]


@transaction.atomic
def steward_appoint(*, actor: User, community: Community, user_id: int) -> Steward:
    """Staff appoint a resident of the community as a steward; she is told."""
    require_staff(actor, community.pk)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_resident_of(user, community.pk):
        raise ValidationFailed(_("A steward must be a resident of this community."), code="not_a_resident", field="user_id")
    if Steward.objects.filter(community=community, user=user).exists():
        raise Conflict(_("%(name)s is already a steward.") % {"name": user.shown_name}, code="already_steward")
    try:
        with transaction.atomic():
            steward = Steward.objects.create(community=community, user=user, appointed_by=actor)
    except IntegrityError:  # the same appointment made at the same moment by someone else
        raise Conflict(_("%(name)s is already a steward.") % {"name": user.shown_name}, code="already_steward") from None
    notify(user=user, kind="deliberation", code="steward_appointed", params={"community": community.name},
           url=reverse("deliberation:home", args=[community.pk]))
    return steward


@transaction.atomic
def steward_remove(*, actor: User, community: Community, user_id: int) -> None:
    """Staff end a stewardship; the votes she cast stay counted."""
    require_staff(actor, community.pk)
    if not Steward.objects.filter(community=community, user_id=user_id).delete()[0]:
        raise ValidationFailed(_("That person is not a steward here."), code="not_a_steward", field="user_id")


@transaction.atomic
def issue_collect(
    *, actor: User, community: Community, title: str = "", text: str = "", need_id: int | None = None, category: str = ConsultationCategory.OTHER
) -> Issue:
    """A steward or staff collect an issue for the next meeting; staff may take it from a resident's
    need of this community (one tap on a 小事-track need): title and text default to the need's.
    Needs are read by staff only, so a steward naming one gets the same 400 as for a need elsewhere."""
    staff = is_community_staff(actor, community.pk)
    if not (staff or is_steward(actor, community.pk)):
        raise PermissionDenied(_("Only the stewards and staff of this community collect issues."), code="not_a_steward")
    need = None
    if need_id is not None:
        need = Need.objects.filter(pk=need_id, community=community).first() if staff else None
        if need is None:
            raise ValidationFailed(_("No such need in this community."), code="invalid_need", field="need_id")
        title = title or need.title
        text = text or need.description
    if category not in ConsultationCategory.values:
        raise ValidationFailed(_("Choose a category."), code="invalid_category", field="category")
    title = clean_text(title, field="title", max_length=120)
    text = clean_text(text, field="text", max_length=4000, required=False)
    return Issue.objects.create(community=community, title=title, text=text, category=category, need=need, proposed_by=actor)


@transaction.atomic
def issue_consult(*, actor: User, issue: Issue, options: list[str], closes_at: datetime) -> Issue:
    """Staff open an online consultation on the issue (线上议事), in the issue's category, so those who
    cannot come comment and vote before the meeting; the meeting's agenda shows its result."""
    require_staff(actor, issue.community_id)
    if issue.consultation_id:
        raise Conflict(_("This issue already has its online consultation."), code="already_consulted")
    if issue.status == Issue.Status.DECIDED:
        raise Conflict(_("This issue is already decided."), code="issue_decided")
    consultation = consultation_open(
        actor=actor, community=issue.community, title=issue.title, options=options, closes_at=closes_at, description=issue.text,
        need=issue.need, category=issue.category,
    )
    issue.consultation = consultation
    issue.save(update_fields=["consultation"])
    return issue

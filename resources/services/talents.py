"""The talent pool (达人 / 讲师): a person lists herself with the fields she teaches and a short bio;
staff and organisations find talents by field and invite them to a task.

Guarantees: a bio is plain text, and one holding markup or script is refused (400
``script_not_allowed``), nothing written; only the person herself lists or unlists herself; a
talent is invited to a task once (409 ``already_invited``) and told of it."""

import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, Organization, OrganizationMember, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Task
from resources.models import Talent, TalentInvitation
from resources.services.common import text

MAX_FIELDS = 8
# Markup of any kind (a tag, an event handler, a javascript: link): a bio is shown as text, so
# whoever types it means it as script, and it is refused rather than stored.
SCRIPT = re.compile(r"<\s*/?\s*[a-z!?]|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)


def _fields(values) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise ValidationFailed(_("Give at least one field, e.g. 绘本 or 手作."), code="invalid_fields", field="fields")
    cleaned: list[str] = []
    for value in values:
        value = str(value or "").strip()
        if not value or len(value) > 20 or SCRIPT.search(value) or "\x00" in value:
            raise ValidationFailed(_("Each field is a short word of at most 20 characters."), code="invalid_fields", field="fields")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_FIELDS:
        raise ValidationFailed(_("At most %(n)d fields.") % {"n": MAX_FIELDS}, code="invalid_fields", field="fields")
    return cleaned


def talent_list_me(*, actor: User, fields, bio: str, community: Community) -> Talent:
    """List (or update) the caller as a talent of a community she belongs to."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    if not (actor.is_superuser or Membership.objects.filter(user=actor, community=community).exists()):
        raise PermissionDenied(_("Join this community first."), code="not_a_member")
    fields = _fields(fields)
    bio = text(bio, field="bio", max_length=500)
    if SCRIPT.search(bio):
        raise ValidationFailed(_("A bio is plain text: leave out tags and script."), code="script_not_allowed", field="bio")
    talent, _created = Talent.objects.update_or_create(user=actor, defaults={"fields": fields, "bio": bio, "community": community})
    return talent


def talent_unlist(*, actor: User) -> None:
    """Stop being listed; invitations already sent stay with their tasks."""
    Talent.objects.filter(user=actor).delete()


def may_invite(actor: User, task: Task) -> bool:
    """Staff of the task's community, or an administrator of a verified organisation of that community."""
    if is_community_staff(actor, task.community_id):
        return True
    return OrganizationMember.objects.filter(
        user=actor, role=OrganizationMember.Role.ADMIN, organization__status=Organization.Status.VERIFIED,
        organization__community_id=task.community_id,
    ).exists()


def talent_invite(*, actor: User, talent: Talent, task: Task, note: str = "") -> TalentInvitation:
    """Invite a talent to an open task; she is told, with a link to the task where she can claim it."""
    if not actor.is_authenticated or not may_invite(actor, task):
        raise PermissionDenied(_("Only staff of the task's community or its organisations can invite to it."), code="not_staff")
    if task.status not in (Task.Status.OPEN, Task.Status.FULL):
        raise Conflict(_("This task is not open."), code="task_not_open")
    note = text(note, field="note", max_length=300, required=False)
    already = Conflict(_("She is already invited to this task."), code="already_invited")
    try:
        with transaction.atomic():
            invitation = TalentInvitation.objects.create(talent=talent, task=task, invited_by=actor, note=note)
            notify(user=talent.user, kind="talent_invitation", code="talent_invited", url=reverse("tasks:detail", args=[task.pk]),
                   params={"name": actor.shown_name, "task": task.title, "note": note})
    except IntegrityError:
        raise already from None
    return invitation

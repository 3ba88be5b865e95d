"""Community groups' activities: a member of a filed (备案) community group proposes a task for the
group; it is held, as a draft task private to staff, until staff of the group's community approve
it (the task is published on the board, as the group's) or refuse it with a reason (the draft is
cancelled). The proposer is told either way.

The task itself is written and moved only by marketplace's task services (``insert_task`` as a
draft, ``task_publish``, ``task_transition``): their checks of a task's fields and moves are not
repeated here. Each decision locks the activity's row and moves it with a conditional UPDATE, so of
two staff deciding at once one decides and the other is told (409 ``invalid_transition``)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationMember, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Task
from marketplace.services import TaskFields, insert_task, task_publish, task_transition
from resources.models import GroupActivity, GroupActivityStatusChange, GroupFiling
from resources.services.common import text

A = GroupActivity.Status


def activity_propose(*, actor: User, organization: Organization, fields: TaskFields) -> GroupActivity:
    """A member of a filed community group proposes a task for the group; staff decide."""
    if not actor.is_authenticated or not OrganizationMember.objects.filter(organization=organization, user=actor).exists():
        raise PermissionDenied(_("Only members of the group can propose its activities."), code="not_org_member")
    if organization.kind != Organization.Kind.COMMUNITY_GROUP:
        raise ValidationFailed(_("Only a community group is filed here; other organisations are verified."), code="not_a_community_group")
    if organization.community_id is None or not GroupFiling.objects.filter(organization=organization).exists():
        raise Conflict(_("Staff must record the group's filing (备案) before it proposes activities."), code="group_not_filed")
    with transaction.atomic():
        # A draft: only staff of the community see it until they publish it.
        task = insert_task(actor=actor, community=organization.community, fields=fields, draft=True)
        if task.ends_at <= timezone.now():  # a draft may lie in the past; a proposal may not (rolled back)
            raise ValidationFailed(_("The task has already ended."), code="invalid_time", field="ends_at")
        activity = GroupActivity.objects.create(organization=organization, task=task, proposed_by=actor)
        GroupActivityStatusChange.objects.create(activity=activity, actor=actor, from_status="", to_status=A.PENDING)
    return activity


def _decide(*, actor: User, activity: GroupActivity, to: str, reason: str = "") -> GroupActivity:
    if not is_community_staff(actor, activity.task.community_id):
        raise PermissionDenied(_("Only staff of the group's community decide on its activities."), code="not_staff")
    with transaction.atomic():
        current = GroupActivity.objects.select_for_update().select_related("task", "organization").get(pk=activity.pk)
        if current.status == to:
            return current  # a retried request finds the work done
        if current.status != A.PENDING or not GroupActivity.objects.filter(pk=current.pk, status=A.PENDING).update(status=to, reason=reason):
            raise Conflict(_("This activity was decided already."), code="invalid_transition")
        if to == A.APPROVED:
            task_publish(actor=actor, task=current.task)
            url, code = reverse("tasks:detail", args=[current.task_id]), "group_activity_approved"
        else:
            task_transition(task=current.task, to=Task.Status.CANCELLED, actor=actor, note=reason, expected=Task.Status.DRAFT)
            url, code = reverse("resources:group", args=[current.organization_id]), "group_activity_refused"
        GroupActivityStatusChange.objects.create(activity=current, actor=actor, from_status=A.PENDING, to_status=to, note=reason[:200])
        notify(user=current.proposed_by, kind="group_activity", code=code, url=url,
               params={"title": current.task.title, "group": current.organization.name, "reason": reason})
    current.refresh_from_db()
    return current


def activity_approve(*, actor: User, activity: GroupActivity) -> GroupActivity:
    """Staff approve: the task is published on the board as the group's, the proposer is told."""
    return _decide(actor=actor, activity=activity, to=A.APPROVED)


def activity_reject(*, actor: User, activity: GroupActivity, reason: str) -> GroupActivity:
    """Staff refuse with a reason the proposer reads; the draft task is cancelled."""
    return _decide(actor=actor, activity=activity, to=A.REFUSED, reason=text(reason, field="reason", max_length=200))

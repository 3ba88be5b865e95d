"""Reads for tasks: one selector for the board page and the API list."""

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Skill
from accounts.selectors import is_community_staff
from config.filtering import apply_filters
from marketplace.filters import TaskFilter
from marketplace.models import Task


def task_list(*, viewer=None, filters: dict | None = None) -> QuerySet[Task]:
    """Tasks sorted by start time. Drafts only for staff of their community. The query count
    does not grow with the page size: the community and skills come in two fixed queries."""
    qs = Task.objects.select_related("community").prefetch_related(Prefetch("skills", queryset=Skill.objects.only("id", "name")))
    if viewer is not None and viewer.is_authenticated and viewer.is_superuser:
        pass
    elif viewer is not None and viewer.is_authenticated:
        staff_of = viewer.memberships.filter(role="staff").values("community_id")
        qs = qs.filter(~Q(status=Task.Status.DRAFT) | Q(community_id__in=staff_of))
    else:
        qs = qs.exclude(status=Task.Status.DRAFT)
    return apply_filters(TaskFilter, filters, qs).order_by("starts_at", "id")


def task_get(task_id: int, *, viewer=None) -> Task | None:
    task = Task.objects.select_related("community__street__district", "beneficiary").prefetch_related("skills").filter(pk=task_id).first()
    if task is None:
        return None
    if task.status == Task.Status.DRAFT and not (viewer is not None and is_community_staff(viewer, task.community_id)):
        return None
    return task

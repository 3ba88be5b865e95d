from django.db.models import QuerySet

from core.errors import NotFound
from marketplace.models import Task
from orders.models import Claim
from reach.models import ReachSettings


def calendar_owner(token: str):
    """The person whose secret feed this is; an unknown (or renewed) secret is a 404."""
    row = ReachSettings.objects.select_related("user").filter(calendar_token=token).first()
    if row is None or not row.user.is_active:
        raise NotFound(code="calendar_not_found")
    return row.user


def calendar_claims(user) -> QuerySet[Claim]:
    """The person's live claims on tasks not cancelled, soonest first: the events of their feed."""
    return (
        Claim.objects.filter(user=user, status__in=Claim.LIVE)
        .exclude(task__status=Task.Status.CANCELLED)
        .select_related("task")
        .order_by("task__starts_at", "id")
    )

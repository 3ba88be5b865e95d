"""Community groups' activities: a member of a filed group proposes a task for it (held for staff),
staff of the group's community approve it (published on the board) or refuse it with a reason."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import organization_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import ValidationFailed
from marketplace.services import TaskFields
from resources import selectors, services

router = Router(tags=["community groups' activities"])


class ActivityIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=30)
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    location: str = Field(..., max_length=200)
    slots: int = Field(..., ge=0, le=100_000)
    points: int = Field(0, ge=0, le=1_000_000)


class ActivityOut(Schema):
    id: int
    organization_id: int
    group: str
    task_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: str = Field(..., description="pending, approved or refused")
    reason: str
    proposed_by_id: int

    @staticmethod
    def resolve_group(obj) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_starts_at(obj) -> datetime:
        return obj.task.starts_at

    @staticmethod
    def resolve_ends_at(obj) -> datetime:
        return obj.task.ends_at

    @staticmethod
    def resolve_location(obj) -> str:
        return obj.task.location


class ActivityFilters(Schema):
    community: int | None = None
    organization: int | None = None
    status: str | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


@router.post("/organizations/{organization_id}/activities", response={201: ActivityOut, **ERRORS}, auth=AUTH)
def propose_activity(request, organization_id: int, payload: ActivityIn):
    """A member of a filed community group proposes a task for it: 201 ``{status: "pending"}``."""
    group = organization_get_for(request.auth, organization_id)
    if not payload.title.strip():
        raise ValidationFailed(_("This field is required."), code="required", field="title")
    fields = TaskFields(title=payload.title, description=payload.description, category=payload.category, starts_at=payload.starts_at,
                        ends_at=payload.ends_at, location=payload.location, slots=payload.slots, points=payload.points, skills=[],
                        beneficiary=None)
    return Status(201, services.activity_propose(actor=request.auth, organization=group, fields=fields))


@router.get("/activities", response={200: list[ActivityOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def list_activities(request, filters: Query[ActivityFilters]):
    """Staff: their communities' groups' activities (``?status=pending`` to decide); members: their groups'."""
    return selectors.activities_for(request.auth, filters.dict(exclude_none=True))


@router.get("/activities/{activity_id}", response={200: ActivityOut, **ERRORS}, auth=AUTH)
def get_activity(request, activity_id: int):
    return selectors.activity_get_for(request.auth, activity_id)


@router.post("/activities/{activity_id}/approve", response={200: ActivityOut, **ERRORS}, auth=AUTH)
def approve_activity(request, activity_id: int):
    return services.activity_approve(actor=request.auth, activity=selectors.activity_get_for(request.auth, activity_id))


@router.post("/activities/{activity_id}/reject", response={200: ActivityOut, **ERRORS}, auth=AUTH)
def reject_activity(request, activity_id: int, payload: ReasonIn):
    activity = selectors.activity_get_for(request.auth, activity_id)
    return services.activity_reject(actor=request.auth, activity=activity, reason=payload.reason)

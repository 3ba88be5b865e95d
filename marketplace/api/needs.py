"""Needs (residents' requests) in the API contract: submitted, listed, the public boards, triaged, turned
into a task, resolved or closed."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.models import Community, Organization
from accounts.selectors import ward_get_for
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound
from marketplace import selectors, services
from marketplace.api.tasks import TaskBodyIn, TaskOut, task_fields

__all__ = ["router", "NeedIn", "NeedOut", "NeedFilterIn", "TriageIn", "ReplyIn", "BoardOut"]
OPERATION_IDS_OF = "marketplace.api"  # the operation ids predate the split (config/api.py)


router = Router(tags=["tasks"])


# --- Needs -------------------------------------------------------------------------------------------
class NeedIn(Schema):
    community_id: int
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    category: str = Field("other", max_length=20)
    urgency: int = 2
    anonymous: bool = False
    on_behalf_of: int | None = Field(None, description="Staff: the resident of this community the need is entered for.")
    consent_note: str = Field("", max_length=200, description="Staff: how the resident agreed.")


class NeedOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    category: str
    urgency: int
    anonymous: bool
    status: str
    track: str
    reply: str
    department: str
    author_id: int | None
    author_name: str | None
    entered_by_staff: bool = Field(..., description="Entered by staff on the resident's behalf (由工作人员代录).")
    task_ids: list[int]
    created_at: datetime
    triaged_at: datetime | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_description(obj, context) -> str:
        return obj.description if selectors.need_details_visible_to(obj, optional_user(context["request"])) else ""

    @staticmethod
    def resolve_author_id(obj, context) -> int | None:
        author = selectors.need_author_shown_to(obj, optional_user(context["request"]))
        return author.pk if author else None

    @staticmethod
    def resolve_author_name(obj, context) -> str | None:
        return selectors.need_author_name_for(obj, optional_user(context["request"]))

    @staticmethod
    def resolve_entered_by_staff(obj) -> bool:
        return obj.entered_by_id is not None

    @staticmethod
    def resolve_task_ids(obj) -> list[int]:
        return [t.pk for t in obj.tasks.all()]


class NeedFilterIn(Schema):
    community: int | None = None
    status: str | None = Field(None, max_length=20)
    track: str | None = Field(None, max_length=20)
    category: str | None = Field(None, max_length=20)


class TriageIn(Schema):
    track: str = Field(..., max_length=20, description='"major", "minor" or "private"')
    reply: str = Field(..., max_length=2000)
    department: str = Field("", max_length=120)
    organization_ids: list[int] = Field(default_factory=list, max_length=20)


class ReplyIn(Schema):
    reply: str = Field("", max_length=2000)


class BoardOut(Schema):
    received: int
    entered_by_staff: int = Field(..., description="Of those received, how many staff entered for a resident (代办).")
    triaged: int
    major: int
    minor: int
    private: int
    matched: int
    resolved: int
    median_days_to_resolve: float | None


@router.post("/needs", response={201: NeedOut, **ERRORS}, auth=AUTH, tags=["needs"])
def submit_need(request, payload: NeedIn):
    community = get_object_or_404(Community, pk=payload.community_id)
    data = payload.dict(exclude={"community_id"})
    return Status(201, services.need_submit(actor=request.auth, community=community, **data))


@router.get("/needs", response={200: list[NeedOut], **ERRORS}, auth=AUTH, tags=["needs"])
@paginate(PageNumberPagination)
def list_needs(request, filters: Query[NeedFilterIn]):
    return selectors.need_list(viewer=request.auth, filters=filters.dict(exclude_none=True)).prefetch_related("tasks")


@router.get("/me/wards/{user_id}/needs", response={200: list[NeedOut], **ERRORS}, auth=AUTH, tags=["needs"])
@paginate(PageNumberPagination)
def list_ward_needs(request, user_id: int):
    """The needs of a person who named the caller their guardian, with staff's replies, newest
    first (#22); 404 for anyone else."""
    return selectors.ward_needs(viewer=request.auth, ward=ward_get_for(request.auth, user_id)).prefetch_related("tasks")


@router.get("/needs/board", response={200: BoardOut, **ERRORS}, auth=None, tags=["needs"])
def district_board(request):
    return selectors.needs_board()


@router.get("/communities/{community_id}/needs/board", response={200: BoardOut, **ERRORS}, auth=None, tags=["needs"])
def community_board(request, community_id: int):
    return selectors.needs_board(community=get_object_or_404(Community, pk=community_id))


@router.get("/needs/resolved", response={200: list[NeedOut], **ERRORS}, auth=None, tags=["needs"])
@paginate(PageNumberPagination)
def list_resolved_needs(request, community: int | None = None):
    scope = get_object_or_404(Community, pk=community) if community is not None else None
    return selectors.resolved_needs(community=scope, viewer=optional_user(request)).prefetch_related("tasks")


@router.get("/needs/{need_id}", response={200: NeedOut, **ERRORS}, auth=None, tags=["needs"])
def get_need(request, need_id: int):
    return selectors.need_get_for(optional_user(request), need_id)


@router.post("/needs/{need_id}/triage", response={200: NeedOut, **ERRORS}, auth=AUTH, tags=["needs"])
def triage_need(request, need_id: int, payload: TriageIn):
    need = selectors.need_get_for(optional_user(request), need_id)
    organizations = list(Organization.objects.filter(pk__in=payload.organization_ids))
    if len(organizations) != len(set(payload.organization_ids)):
        raise NotFound(code="organization_not_found", field="organization_ids")
    return services.need_triage(
        actor=request.auth, need=need, track=payload.track, reply=payload.reply, department=payload.department, organizations=organizations
    )


@router.post("/needs/{need_id}/tasks", response={201: TaskOut, **ERRORS}, auth=AUTH, tags=["needs"])
def need_to_task(request, need_id: int, payload: TaskBodyIn):
    need = selectors.need_get_for(optional_user(request), need_id)
    task = services.need_create_task(actor=request.auth, need=need, fields=task_fields(request, payload))
    return Status(201, selectors.task_get_for(request.auth, task.pk))


@router.post("/needs/{need_id}/resolve", response={200: NeedOut, **ERRORS}, auth=AUTH, tags=["needs"])
def resolve_need(request, need_id: int, payload: ReplyIn):
    return services.need_resolve(actor=request.auth, need=selectors.need_get_for(optional_user(request), need_id), reply=payload.reply)


@router.post("/needs/{need_id}/close", response={200: NeedOut, **ERRORS}, auth=AUTH, tags=["needs"])
def close_need(request, need_id: int, payload: ReplyIn):
    return services.need_close(actor=request.auth, need=selectors.need_get_for(optional_user(request), need_id), reply=payload.reply)

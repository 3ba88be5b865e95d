"""Tasks in the API contract: listed, created, edited, published, completed, and their check-in code."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user, remember_plain_viewer
from accounts.models import Community
from accounts.selectors import user_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from marketplace import selectors, services

__all__ = ["router", "TaskOut", "TaskFilterIn", "TaskBodyIn", "RepeatIn", "TaskIn", "TaskUpdateIn", "task_fields", "CodeOut"]
OPERATION_IDS_OF = "marketplace.api"  # the operation ids predate the split (config/api.py)


router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    description: str
    community_id: int
    community: str
    category: str
    starts_at: datetime
    ends_at: datetime
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    slots: int
    slots_taken: int
    points: int
    status: str
    skills: list[str]
    beneficiary_id: int | None
    series_id: int | None = Field(None, description="The series this task is one occurrence of (a repeating task).")

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        return [skill.name for skill in obj.skills.all()]


class TaskFilterIn(Schema):
    community: int | None = None
    category: str | None = Field(None, max_length=20)
    status: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100)
    has_slots: bool | None = None
    starts_after: ApiDateTime | None = None
    starts_before: ApiDateTime | None = None
    skill: str | None = Field(None, max_length=40)
    series: int | None = None


class TaskBodyIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=20)
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    location: str = Field(..., max_length=200)
    slots: int
    points: int = 0
    skills: list[str] = Field(default_factory=list, max_length=20)
    beneficiary_id: int | None = None
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)


class RepeatIn(Schema):
    every: str = Field(..., max_length=8, description='"day" or "week"')
    count: int = Field(..., description="Occurrences, 2 to 52.")


class TaskIn(TaskBodyIn):
    community_id: int
    draft: bool = False
    repeat: RepeatIn | None = Field(None, description="Post a series: the first occurrence is returned, with its series_id.")


class TaskUpdateIn(TaskBodyIn):
    scope: str = Field("this", max_length=12, description='"this" occurrence, or "following": this and the later ones of its series.')


def task_fields(request, payload: TaskBodyIn) -> services.TaskFields:
    return services.TaskFields(
        title=payload.title,
        description=payload.description,
        category=payload.category,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        slots=payload.slots,
        points=payload.points,
        skills=payload.skills,
        beneficiary=user_get_for(request.auth, payload.beneficiary_id) if payload.beneficiary_id is not None else None,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )


def _filters(schema: Schema) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in schema.dict().items() if v not in (None, "")}


@router.get("/tasks", response={200: list[TaskOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_tasks(request, filters: Query[TaskFilterIn]):
    viewer = optional_user(request)
    remember_plain_viewer(request, viewer)  # the public cache may answer this token next time
    return selectors.task_list(viewer=viewer, filters=_filters(filters))


@router.post("/tasks", response={201: TaskOut, **ERRORS}, auth=AUTH)
def create_task(request, payload: TaskIn):
    community = get_object_or_404(Community, pk=payload.community_id)
    repeat = services.Repeat(every=payload.repeat.every, count=payload.repeat.count) if payload.repeat else None
    task = services.task_create(
        actor=request.auth, community=community, fields=task_fields(request, payload), draft=payload.draft, repeat=repeat
    )
    return Status(201, selectors.task_get_for(request.auth, task.pk))


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, auth=None)
def get_task(request, task_id: int):
    return selectors.task_get_for(optional_user(request), task_id)


@router.put("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, auth=AUTH)
def update_task(request, task_id: int, payload: TaskUpdateIn):
    task = selectors.task_get_for(optional_user(request), task_id)
    services.task_update(actor=request.auth, task=task, fields=task_fields(request, payload), scope=payload.scope)
    return selectors.task_get_for(request.auth, task.pk)


@router.post("/tasks/{task_id}/publish", response={200: TaskOut, **ERRORS}, auth=AUTH)
def publish_task(request, task_id: int):
    task = selectors.task_get_for(optional_user(request), task_id)
    services.task_publish(actor=request.auth, task=task)
    return selectors.task_get_for(request.auth, task.pk)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS}, auth=AUTH)
def complete_task(request, task_id: int):
    task = selectors.task_get_for(optional_user(request), task_id)
    services.task_complete(actor=request.auth, task=task)
    return selectors.task_get_for(request.auth, task.pk)


class CodeOut(Schema):
    code: str
    expires_at: datetime


@router.get("/tasks/{task_id}/checkin-code", response={200: CodeOut, **ERRORS}, auth=AUTH)
def checkin_code(request, task_id: int):
    task = selectors.task_get_for(optional_user(request), task_id)
    code, expires_at = services.task_checkin_code(actor=request.auth, task=task)
    return {"code": code, "expires_at": expires_at}

"""Tasks part of the API contract: browse, post, edit, publish, cancel, and the check-in code."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.models import Community
from accounts.services import user_by_id_or_404
from config.api import AUTH, ErrorOut, PageNumberPagination, optional_user
from config.errors import NotFound
from marketplace import selectors, services
from marketplace.models import Task

router = Router(tags=["tasks"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


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
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    skill: str | None = Field(None, max_length=40)


class TaskBodyIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=20)
    starts_at: datetime
    ends_at: datetime
    location: str = Field(..., max_length=200)
    slots: int
    points: int = 0
    skills: list[str] = Field(default_factory=list, max_length=20)
    beneficiary_id: int | None = None
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)


class TaskIn(TaskBodyIn):
    community_id: int
    draft: bool = False


def task_fields(payload: TaskBodyIn) -> services.TaskFields:
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
        beneficiary=user_by_id_or_404(payload.beneficiary_id) if payload.beneficiary_id is not None else None,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )


def _filters(schema: Schema) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in schema.dict().items() if v not in (None, "")}


def task_or_404(request, task_id: int) -> Task:
    task = selectors.task_get(task_id, viewer=optional_user(request))
    if task is None:
        raise NotFound(code="task_not_found")
    return task


@router.get("/tasks", response=list[TaskOut], auth=None)
@paginate(PageNumberPagination)
def list_tasks(request, filters: Query[TaskFilterIn]):
    return selectors.task_list(viewer=optional_user(request), filters=_filters(filters))


@router.post("/tasks", response={201: TaskOut, **ERRORS}, auth=AUTH)
def create_task(request, payload: TaskIn):
    community = get_object_or_404(Community, pk=payload.community_id)
    task = services.task_create(actor=request.auth, community=community, fields=task_fields(payload), draft=payload.draft)
    return Status(201, selectors.task_get(task.pk, viewer=request.auth))


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, auth=None)
def get_task(request, task_id: int):
    return task_or_404(request, task_id)


@router.put("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, auth=AUTH)
def update_task(request, task_id: int, payload: TaskBodyIn):
    task = task_or_404(request, task_id)
    services.task_update(actor=request.auth, task=task, fields=task_fields(payload))
    return selectors.task_get(task.pk, viewer=request.auth)


@router.post("/tasks/{task_id}/publish", response={200: TaskOut, **ERRORS}, auth=AUTH)
def publish_task(request, task_id: int):
    task = task_or_404(request, task_id)
    services.task_publish(actor=request.auth, task=task)
    return selectors.task_get(task.pk, viewer=request.auth)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS}, auth=AUTH)
def cancel_task(request, task_id: int, payload: CancelIn | None = None):
    task = task_or_404(request, task_id)
    services.task_cancel(actor=request.auth, task=task, reason=payload.reason if payload else "")
    return selectors.task_get(task.pk, viewer=request.auth)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS}, auth=AUTH)
def complete_task(request, task_id: int):
    task = task_or_404(request, task_id)
    services.task_complete(actor=request.auth, task=task)
    return selectors.task_get(task.pk, viewer=request.auth)


class CodeOut(Schema):
    code: str
    expires_at: datetime


@router.get("/tasks/{task_id}/checkin-code", response={200: CodeOut, **ERRORS}, auth=AUTH)
def checkin_code(request, task_id: int):
    task = task_or_404(request, task_id)
    code, expires_at = services.task_checkin_code(actor=request.auth, task=task)
    return {"code": code, "expires_at": expires_at}

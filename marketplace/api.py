"""Tasks, needs and consultations parts of the API contract."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user, remember_plain_viewer
from accounts.models import Community, Organization
from accounts.selectors import user_get_for, ward_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import NotFound
from marketplace import selectors, services
from marketplace.models import Comment, ConsultationOption

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


# --- Consultations -----------------------------------------------------------------------------------
class ConsultationIn(Schema):
    community_id: int
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    options: list[str] = Field(..., max_length=20)
    closes_at: ApiDateTime
    need_id: int | None = None


class OptionOut(Schema):
    id: int
    label: str


class ResultOut(Schema):
    option_id: int
    label: str
    votes: int


class ConsultationOut(Schema):
    id: int
    community_id: int
    need_id: int | None
    title: str
    description: str
    closes_at: datetime
    is_open: bool
    options: list[OptionOut]
    results: list[ResultOut] | None
    my_option_id: int | None
    decision: str
    decided_at: datetime | None

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.is_open()

    @staticmethod
    def resolve_options(obj) -> list:
        return list(obj.options.all())

    @staticmethod
    def resolve_results(obj):
        return selectors.consultation_results(obj)

    @staticmethod
    def resolve_my_option_id(obj, context) -> int | None:
        return selectors.my_option_id(obj, optional_user(context["request"]))


class ConsultationFilterIn(Schema):
    community: int | None = None
    need: int | None = None


class VoteIn(Schema):
    option_id: int


class VoteOut(Schema):
    consultation_id: int
    option_id: int


class CommentIn(Schema):
    body: str = Field(..., max_length=2000)


class CommentOut(Schema):
    id: int
    author_name: str
    body: str
    hidden: bool
    created_at: datetime

    @staticmethod
    def resolve_author_name(obj) -> str:
        return obj.author.shown_name

    @staticmethod
    def resolve_body(obj) -> str:
        return "" if obj.hidden else obj.body


class DecisionIn(Schema):
    decision: str = Field(..., max_length=5000)


class HideIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post("/consultations", response={201: ConsultationOut, **ERRORS}, auth=AUTH, tags=["consultations"])
def open_consultation(request, payload: ConsultationIn):
    community = get_object_or_404(Community, pk=payload.community_id)
    need = None
    if payload.need_id is not None:
        try:
            need = selectors.need_get_for(request.auth, payload.need_id)
        except NotFound:
            raise NotFound(code="need_not_found", field="need_id") from None
    consultation = services.consultation_open(
        actor=request.auth, community=community, title=payload.title, options=payload.options, closes_at=payload.closes_at,
        description=payload.description, need=need,
    )
    return Status(201, consultation)


@router.get("/consultations", response={200: list[ConsultationOut], **ERRORS}, auth=None, tags=["consultations"])
@paginate(PageNumberPagination)
def list_consultations(request, filters: Query[ConsultationFilterIn]):
    return selectors.consultation_list(filters=filters.dict(exclude_none=True), viewer=optional_user(request))


@router.get("/consultations/{consultation_id}", response={200: ConsultationOut, **ERRORS}, auth=None, tags=["consultations"])
def get_consultation(request, consultation_id: int):
    return selectors.consultation_get_for(optional_user(request), consultation_id)


@router.post("/consultations/{consultation_id}/votes", response={200: VoteOut, **ERRORS}, auth=AUTH, tags=["consultations"])
def vote(request, consultation_id: int, payload: VoteIn):
    consultation = selectors.consultation_get_for(optional_user(request), consultation_id)
    option = ConsultationOption.objects.filter(pk=payload.option_id).first()
    if option is None:
        raise NotFound(code="option_not_found", field="option_id")
    v = services.consultation_vote(actor=request.auth, consultation=consultation, option=option)
    return {"consultation_id": consultation.pk, "option_id": v.option_id}


@router.get("/consultations/{consultation_id}/comments", response={200: list[CommentOut], **ERRORS}, auth=None, tags=["consultations"])
@paginate(PageNumberPagination)
def list_comments(request, consultation_id: int):
    return selectors.visible_comments(selectors.consultation_get_for(optional_user(request), consultation_id))


@router.post("/consultations/{consultation_id}/comments", response={201: CommentOut, **ERRORS}, auth=AUTH, tags=["consultations"])
def comment(request, consultation_id: int, payload: CommentIn):
    return Status(201, services.consultation_comment(actor=request.auth, consultation=selectors.consultation_get_for(optional_user(request), consultation_id), body=payload.body))


@router.post("/comments/{comment_id}/hide", response={200: CommentOut, **ERRORS}, auth=AUTH, tags=["consultations"])
def hide_comment(request, comment_id: int, payload: HideIn):
    c = get_object_or_404(Comment.objects.select_related("consultation", "author"), pk=comment_id)
    return services.comment_hide(actor=request.auth, comment=c, reason=payload.reason)


@router.post("/consultations/{consultation_id}/decision", response={200: ConsultationOut, **ERRORS}, auth=AUTH, tags=["consultations"])
def decide(request, consultation_id: int, payload: DecisionIn):
    return services.consultation_decide(actor=request.auth, consultation=selectors.consultation_get_for(optional_user(request), consultation_id), decision=payload.decision)

"""Consultations (议事) in the API contract: opened, voted on, commented (comments hidden by staff), decided."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.models import Community
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import NotFound
from marketplace import selectors, services
from marketplace.models import Comment, ConsultationOption

__all__ = ["router", "ConsultationIn", "OptionOut", "ResultOut", "ConsultationOut", "ConsultationFilterIn", "VoteIn", "VoteOut", "CommentIn", "CommentOut", "DecisionIn", "HideIn"]
OPERATION_IDS_OF = "marketplace.api"  # the operation ids predate the split (config/api.py)


router = Router(tags=["tasks"])


# --- Consultations -----------------------------------------------------------------------------------
class ConsultationIn(Schema):
    community_id: int
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    options: list[str] = Field(..., max_length=20)
    closes_at: ApiDateTime
    need_id: int | None = None
    # Pengshui's list of consultation categories (制度建设类, 公共事务公益事业类, 村(居)务管理类, 其他类).
    category: str = Field("other", max_length=16)


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
    category: str
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
        description=payload.description, need=need, category=payload.category,
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

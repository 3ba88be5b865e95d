"""Conventions and their signatures; conduct rules and awards (积分制)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.selectors import community_get_for
from core.api import ERRORS, PageNumberPagination
from deliberation import selectors, services

router = Router(tags=["deliberation"])


# --- Conventions -------------------------------------------------------------------------------------
class ConventionIn(Schema):
    title: str = Field(..., max_length=120)
    text: str = Field(..., max_length=20000)
    motion_id: int


class ConventionOut(Schema):
    id: int
    community_id: int
    motion_id: int
    title: str
    text: str
    created_at: datetime
    signatures_count: int = 0
    signed: bool | None = Field(None, description="Whether the caller signed it (null when not signed in).")


class SignatureOut(Schema):
    convention_id: int
    user_id: int
    signed_at: datetime


@router.post("/communities/{community_id}/conventions", response={201: ConventionOut, **ERRORS}, auth=AUTH)
def convention_create(request, community_id: int, payload: ConventionIn):
    community = community_get_for(request.auth, community_id)
    convention = services.convention_create(actor=request.auth, community=community, title=payload.title, text=payload.text,
                                            motion_id=payload.motion_id)
    return Status(201, selectors.convention_get_for(request.auth, convention.pk))


@router.get("/conventions", response={200: list[ConventionOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def convention_list(request, community: int | None = None):
    return selectors.convention_list({"community": community} if community is not None else None)


@router.get("/conventions/{convention_id}", response={200: ConventionOut, **ERRORS}, auth=None)
def convention_detail(request, convention_id: int):
    viewer = optional_user(request)
    convention = selectors.convention_get_for(viewer, convention_id)
    convention.signed = selectors.has_signed(viewer, convention) if viewer.is_authenticated else None
    return convention


@router.post("/conventions/{convention_id}/sign", response={201: SignatureOut, **ERRORS}, auth=AUTH)
def convention_sign(request, convention_id: int):
    convention = selectors.convention_get_for(request.auth, convention_id)
    return Status(201, services.convention_sign(actor=request.auth, convention=convention))


# --- Conduct points ----------------------------------------------------------------------------------
class ConductRuleIn(Schema):
    title: str = Field(..., max_length=120)
    points: int = Field(..., ge=-(2**31), le=2**31)
    convention_id: int | None = None


class ConductRuleOut(Schema):
    id: int
    community_id: int
    convention_id: int | None
    title: str
    points: int


class AwardIn(Schema):
    user_id: int
    evidence: str = Field(..., max_length=2000)


class AwardDecisionIn(Schema):
    reason: str = Field(..., max_length=200)


class ConductAwardOut(Schema):
    id: int
    rule_id: int
    rule: str
    community_id: int
    user_id: int
    points: int
    points_paid: int
    evidence: str
    status: str
    proposed_by_id: int
    decided_by_id: int | None
    decided_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_rule(obj) -> str:
        return obj.rule.title


class AwardFilterIn(Schema):
    community: int | None = None
    status: str | None = None


@router.post("/communities/{community_id}/conduct-rules", response={201: ConductRuleOut, **ERRORS}, auth=AUTH)
def conduct_rule_create(request, community_id: int, payload: ConductRuleIn):
    community = community_get_for(request.auth, community_id)
    rule = services.conduct_rule_create(actor=request.auth, community=community, title=payload.title, points=payload.points,
                                        convention_id=payload.convention_id)
    return Status(201, rule)


@router.get("/conduct-rules", response={200: list[ConductRuleOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def conduct_rule_list(request, community: int | None = None):
    return selectors.conduct_rule_list({"community": community} if community is not None else None)


@router.post("/conduct-rules/{rule_id}/awards", response={201: ConductAwardOut, **ERRORS}, auth=AUTH)
def conduct_award_propose(request, rule_id: int, payload: AwardIn):
    rule = selectors.conduct_rule_get_for(request.auth, rule_id)
    return Status(201, services.conduct_award_propose(actor=request.auth, rule=rule, user_id=payload.user_id, evidence=payload.evidence))


@router.get("/conduct-awards", response={200: list[ConductAwardOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def conduct_award_list(request, filters: Query[AwardFilterIn]):
    """The caller's own awards, and those of the communities they staff."""
    return selectors.conduct_award_list(request.auth, filters.dict(exclude_none=True))


@router.post("/conduct-awards/{award_id}/approve", response={200: ConductAwardOut, **ERRORS}, auth=AUTH)
def conduct_award_approve(request, award_id: int):
    award = selectors.conduct_award_get_for(request.auth, award_id)
    return services.conduct_award_approve(actor=request.auth, award=award)


@router.post("/conduct-awards/{award_id}/reject", response={200: ConductAwardOut, **ERRORS}, auth=AUTH)
def conduct_award_reject(request, award_id: int, payload: AwardDecisionIn):
    award = selectors.conduct_award_get_for(request.auth, award_id)
    return services.conduct_award_reject(actor=request.auth, award=award, reason=payload.reason)

"""Funded projects and their sealed bids: publish and read projects, bid, score, award, set and
deliver milestones, review the contract, and post volunteer tasks for it."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.models import Organization
from accounts.selectors import community_get_for, is_community_staff, row_viewer_is_staff
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import NotFound, PermissionDenied
from marketplace import selectors as market_selectors
from marketplace import services as market_services
from marketplace.api.tasks import TaskBodyIn, TaskOut, task_fields
from orders import selectors, services
from orders.api.reviews import ReviewOut
from orders.models import Bid, Contract

router = Router(tags=["projects"])


# --- Projects: publish, list, read, cancel ----------------------------------------------------------------------------------------
class CriterionIn(Schema):
    name: str = Field(..., max_length=60)
    weight: int
    kind: Literal["scored", "track_record"] = Field(
        "scored", description="`track_record`: scored from the organisation's confirmed services, ratings and completed contracts, not typed (#22)."
    )


class CriterionOut(Schema):
    id: int
    name: str
    weight: int
    kind: str


class ProjectAwardOut(Schema):
    organization_id: int
    organization: str
    amount: int
    reason: str


class ProjectIn(Schema):
    community_id: int
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=10000)
    budget: int = Field(..., description="In minor units (fen).")
    currency: str = Field("cny", max_length=3)
    bid_deadline: ApiDateTime
    service_starts: date | None = None
    service_ends: date | None = None
    criteria: list[CriterionIn] | None = Field(None, max_length=10)
    required_documents: str = Field("", max_length=2000)
    draft: bool = False


class ProjectOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    budget: int
    currency: str
    bid_deadline: datetime
    service_starts: date | None
    service_ends: date | None
    required_documents: str
    status: str
    criteria: list[CriterionOut]
    bid_count: int | None = Field(None, description="For staff of the community only.")
    award: ProjectAwardOut | None

    @staticmethod
    def resolve_criteria(obj) -> list:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_bid_count(obj, context) -> int | None:
        viewer = optional_user(context["request"])
        return selectors.bid_count(obj) if row_viewer_is_staff(obj, viewer) else None

    @staticmethod
    def resolve_award(obj):
        contract = getattr(obj, "contract", None) if obj.status in ("awarded", "delivering", "completed") else None
        if contract is None:
            return None
        return {"organization_id": contract.organization_id, "organization": contract.organization.name, "amount": contract.amount, "reason": obj.award_reason}


class ProjectFilterIn(Schema):
    community: int | None = None
    status: str | None = Field(None, max_length=20)


@router.post("/projects", response={201: ProjectOut, **ERRORS}, auth=AUTH, tags=["projects"])
def create_project(request, payload: ProjectIn):
    community = community_get_for(request.user, payload.community_id)
    project = market_services.project_create(
        actor=request.auth,
        community=community,
        title=payload.title,
        description=payload.description,
        budget=payload.budget,
        currency=payload.currency,
        bid_deadline=payload.bid_deadline,
        service_starts=payload.service_starts,
        service_ends=payload.service_ends,
        criteria=[(c.name, c.weight, c.kind) for c in payload.criteria] if payload.criteria else None,
        required_documents=payload.required_documents,
        draft=payload.draft,
    )
    return Status(201, market_selectors.project_get_for(request.auth, project.pk))


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, auth=None, tags=["projects"])
@paginate(PageNumberPagination)
def list_projects(request, filters: Query[ProjectFilterIn]):
    return market_selectors.project_list(viewer=optional_user(request), filters=filters.dict(exclude_none=True))


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, auth=None, tags=["projects"])
def get_project(request, project_id: int):
    return market_selectors.project_get_for(optional_user(request), project_id)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


@router.post("/projects/{project_id}/cancel", response={200: ProjectOut, **ERRORS}, auth=AUTH, tags=["projects"])
def cancel_project(request, project_id: int, payload: ReasonIn):
    project = market_services.project_cancel(actor=request.auth, project=market_selectors.project_get_for(optional_user(request), project_id), reason=payload.reason)
    return market_selectors.project_get_for(request.auth, project.pk)


# --- Bids, award, contract, milestones --------------------------------------------------------------
class BidIn(Schema):
    organization_id: int
    amount: int = Field(..., description="In minor units (fen), not above the budget.")
    proposal: str = Field(..., max_length=20000)
    team: str = Field("", max_length=5000)
    timeline: str = Field("", max_length=5000)


class BidUpdateIn(Schema):
    amount: int
    proposal: str = Field(..., max_length=20000)
    team: str = Field("", max_length=5000)
    timeline: str = Field("", max_length=5000)


class BidOut(Schema):
    id: int
    project_id: int
    organization_id: int
    organization: str
    amount: int
    proposal: str
    team: str
    timeline: str
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_organization(obj) -> str:
        return obj.organization.name


class ScoresIn(Schema):
    scores: dict[int, int] = Field(..., description="criterion id → score from 0 to 100; a `track_record` criterion may be left out (it is computed)")


class RankingOut(Schema):
    bid_id: int
    organization: str
    amount: int
    status: str
    score: Decimal | None
    scorers: int


class ProjectAwardIn(Schema):
    bid_id: int
    reason: str = Field("", max_length=2000)


class MilestoneOut(Schema):
    id: int
    position: int
    deliverable: str
    due_date: date
    amount: int
    status: str
    evidence: str
    review_comment: str
    accepted_at: datetime | None


class ContractOut(Schema):
    id: int
    project_id: int
    bid_id: int
    organization_id: int
    organization: str
    amount: int
    currency: str
    status: str
    milestones: list[MilestoneOut]
    task_ids: list[int]

    @staticmethod
    def resolve_organization(obj) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_task_ids(obj) -> list[int]:
        return list(selectors.contract_tasks(obj).values_list("pk", flat=True))


class MilestoneIn(Schema):
    deliverable: str = Field(..., max_length=200)
    due_date: date
    amount: int


class MilestonesIn(Schema):
    milestones: list[MilestoneIn] = Field(..., max_length=50)


class EvidenceIn(Schema):
    evidence: str = Field(..., max_length=5000)


class ProjectCommentIn(Schema):
    comment: str = Field(..., max_length=500)


class ContractReviewIn(Schema):
    stars: int
    comment: str = Field("", max_length=2000)


@router.post("/projects/{project_id}/bids", response={201: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def submit_bid(request, project_id: int, payload: BidIn):
    project = market_selectors.project_get_for(optional_user(request), project_id)
    organization = Organization.objects.filter(pk=payload.organization_id).first()
    if organization is None:
        raise NotFound(code="organization_not_found", field="organization_id")
    bid = services.bid_submit(
        actor=request.auth, project=project, organization=organization, amount=payload.amount, proposal=payload.proposal,
        team=payload.team, timeline=payload.timeline,
    )
    return Status(201, bid)


@router.get("/projects/{project_id}/bids", response={200: list[BidOut], **ERRORS}, auth=AUTH, tags=["projects"])
@paginate(PageNumberPagination)
def list_bids(request, project_id: int):
    return selectors.bids_visible_to(market_selectors.project_get_for(optional_user(request), project_id), request.auth)


@router.put("/bids/{bid_id}", response={200: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def revise_bid(request, bid_id: int, payload: BidUpdateIn):
    return services.bid_revise(actor=request.auth, bid=selectors.bid_get_for(request.auth, bid_id), **payload.dict())


@router.post("/bids/{bid_id}/withdraw", response={200: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def withdraw_bid(request, bid_id: int):
    return services.bid_withdraw(actor=request.auth, bid=selectors.bid_get_for(request.auth, bid_id))


@router.post("/bids/{bid_id}/scores", response={200: list[RankingOut], **ERRORS}, auth=AUTH, tags=["projects"])
def score_bid(request, bid_id: int, payload: ScoresIn):
    bid = selectors.bid_get_for(request.auth, bid_id)
    services.bid_score(actor=request.auth, bid=bid, scores=payload.scores)
    return _ranking_rows(bid.project)


def _ranking_rows(project) -> list[dict]:
    return [
        {"bid_id": r["bid"].pk, "organization": r["bid"].organization.name, "amount": r["bid"].amount, "status": r["bid"].status,
         "score": r["score"], "scorers": r["scorers"]}
        for r in selectors.bid_ranking(project)
    ]


@router.get("/projects/{project_id}/ranking", response={200: list[RankingOut], **ERRORS}, auth=AUTH, tags=["projects"])
def ranking(request, project_id: int):
    project = market_selectors.project_get_for(optional_user(request), project_id)
    if not (project.bidding_closed() and is_community_staff(request.auth, project.community_id)):
        raise PermissionDenied(_("The ranking is for staff, after the bid deadline."), code="bidding_not_closed")
    return _ranking_rows(project)


@router.post("/projects/{project_id}/award", response={200: ContractOut, **ERRORS}, auth=AUTH, tags=["projects"])
def award(request, project_id: int, payload: ProjectAwardIn):
    project = market_selectors.project_get_for(optional_user(request), project_id)
    bid = Bid.objects.filter(pk=payload.bid_id, project=project).first()
    if bid is None:
        raise NotFound(code="bid_not_found", field="bid_id")
    return services.project_award(actor=request.auth, project=project, bid=bid, reason=payload.reason)


@router.get("/projects/{project_id}/contract", response={200: ContractOut, **ERRORS}, auth=None, tags=["projects"])
def get_contract(request, project_id: int):
    project = market_selectors.project_get_for(optional_user(request), project_id)
    contract = Contract.objects.select_related("organization").filter(project=project).first()
    if contract is None:
        raise NotFound(code="contract_not_found")
    return contract


@router.put("/contracts/{contract_id}/milestones", response={200: ContractOut, **ERRORS}, auth=AUTH, tags=["projects"])
def set_milestones(request, contract_id: int, payload: MilestonesIn):
    contract = selectors.contract_get_for(request.auth, contract_id)
    services.contract_set_milestones(actor=request.auth, contract=contract, items=[(m.deliverable, m.due_date, m.amount) for m in payload.milestones])
    contract.refresh_from_db()
    return contract


@router.post("/milestones/{milestone_id}/submit", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def submit_milestone(request, milestone_id: int, payload: EvidenceIn):
    return services.milestone_submit(actor=request.auth, milestone=selectors.milestone_get_for(request.auth, milestone_id), evidence=payload.evidence)


@router.post("/milestones/{milestone_id}/accept", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def accept_milestone(request, milestone_id: int):
    return services.milestone_accept(actor=request.auth, milestone=selectors.milestone_get_for(request.auth, milestone_id))


@router.post("/milestones/{milestone_id}/return", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def return_milestone(request, milestone_id: int, payload: ProjectCommentIn):
    return services.milestone_return(actor=request.auth, milestone=selectors.milestone_get_for(request.auth, milestone_id), comment=payload.comment)


@router.post("/contracts/{contract_id}/review", response={201: ReviewOut, **ERRORS}, auth=AUTH, tags=["projects"])
def review_contract(request, contract_id: int, payload: ContractReviewIn):
    return Status(201, services.contract_review(actor=request.auth, contract=selectors.contract_get_for(request.auth, contract_id), stars=payload.stars, comment=payload.comment))


@router.post("/contracts/{contract_id}/tasks", response={201: TaskOut, **ERRORS}, auth=AUTH, tags=["projects"])
def contract_task(request, contract_id: int, payload: TaskBodyIn):
    task = services.contract_task_create(actor=request.auth, contract=selectors.contract_get_for(request.auth, contract_id), fields=task_fields(request, payload))
    return Status(201, market_selectors.task_get_for(request.auth, task.pk))


# --- Donations and funds -----------------------------------------------------------------------------

"""Participatory budgets in the API (民生实事项目票决): budgets, proposals and their review, ballots
(online, or paper entered by staff ``on_behalf_of``), the close and its results, funding a winner."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.models import Community, Organization, Street, User
from budgets import selectors, services
from budgets.models import Budget
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import Conflict, NotFound

router = Router(tags=["participatory budgets"])


def _get(model, pk: int | None, code: str, field: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."), code=code, field=field)
    return found


class BudgetFilters(Schema):
    community: int | None = None
    street: int | None = None
    status: str | None = Field(None, max_length=12)


class BudgetIn(Schema):
    community_id: int | None = None
    street_id: int | None = None
    title: str = Field(..., max_length=120)
    description: str = Field("", max_length=4000)
    amount: int = Field(..., description="In fen (分).")
    voting_opens: ApiDateTime
    voting_closes: ApiDateTime
    max_choices: int | None = Field(None, description="Empty: as many projects as fit the amount.")


class BudgetRulesIn(Schema):
    title: str = Field(..., max_length=120)
    description: str = Field("", max_length=4000)
    amount: int
    voting_opens: ApiDateTime
    voting_closes: ApiDateTime
    max_choices: int | None = None


class BudgetOut(Schema):
    id: int
    community_id: int | None
    street_id: int | None
    title: str
    description: str
    amount: int
    currency: str
    voting_opens: datetime
    voting_closes: datetime
    max_choices: int | None
    status: str
    closed_at: datetime | None
    fund_id: int | None


class ProposalIn(Schema):
    title: str = Field(..., max_length=120)
    text: str = Field(..., max_length=4000)
    cost: int = Field(..., description="In fen (分).")
    organization_id: int | None = None


class ProposalOut(Schema):
    id: int
    budget_id: int
    title: str
    text: str
    cost: int
    status: str
    review_reason: str
    organization_id: int | None
    votes_online: int | None = Field(None, description="Shown once the budget is closed.")
    votes_paper: int | None = None
    votes: int | None = None
    rank: int | None
    outcome: str
    project_id: int | None

    @staticmethod
    def resolve_votes_online(obj) -> int | None:
        return obj.votes_online if obj.budget.closed_at else None

    @staticmethod
    def resolve_votes_paper(obj) -> int | None:
        return obj.votes_paper if obj.budget.closed_at else None

    @staticmethod
    def resolve_votes(obj) -> int | None:
        return obj.votes if obj.budget.closed_at else None


class ProposalReviewIn(Schema):
    feasible: bool
    reason: str = Field("", max_length=500)


class BallotIn(Schema):
    proposal_ids: list[int] = Field(..., max_length=100)
    on_behalf_of: int | None = Field(None, description="Staff entering a paper ballot: the resident's user id.")


class BallotOut(Schema):
    id: int
    budget_id: int
    voter_id: int
    channel: str
    entered_by_id: int | None
    proposal_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_proposal_ids(obj) -> list[int]:
        return sorted(c.proposal_id for c in obj.choices.all())


class BallotCountsOut(Schema):
    online: int
    paper: int
    total: int


class BudgetCloseOut(Schema):
    winners: list[ProposalOut]


class BudgetResultsOut(Schema):
    budget: BudgetOut
    ballots: BallotCountsOut
    items: list[ProposalOut]


class ProposalFundIn(Schema):
    bid_deadline: ApiDateTime
    community_id: int | None = Field(None, description="For a street's budget: the community the project is for.")


@router.get("/budgets", response={200: list[BudgetOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_budgets(request, filters: Query[BudgetFilters]):
    return selectors.budgets(filters.dict(exclude_none=True))


@router.post("/budgets", response={201: BudgetOut, **ERRORS}, auth=AUTH)
def create_budget(request, payload: BudgetIn):
    budget = services.budget_create(
        actor=request.auth, community=_get(Community, payload.community_id, "community_not_found", "community_id"),
        street=_get(Street, payload.street_id, "street_not_found", "street_id"), title=payload.title, description=payload.description,
        amount=payload.amount, voting_opens=payload.voting_opens, voting_closes=payload.voting_closes, max_choices=payload.max_choices,
    )
    return Status(201, budget)


@router.get("/budgets/{budget_id}", response={200: BudgetOut, **ERRORS}, auth=None)
def get_budget(request, budget_id: int):
    return selectors.budget_get(budget_id)


@router.put("/budgets/{budget_id}", response={200: BudgetOut, **ERRORS}, auth=AUTH)
def update_budget(request, budget_id: int, payload: BudgetRulesIn):
    """Change the rules while proposals are taken: 409 ``budget_locked`` once voting opens."""
    return services.budget_update(actor=request.auth, budget=selectors.budget_get(budget_id), **payload.dict())


@router.get("/budgets/{budget_id}/proposals", response={200: list[ProposalOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_proposals(request, budget_id: int):
    return selectors.proposals(selectors.budget_get(budget_id))


@router.post("/budgets/{budget_id}/proposals", response={201: ProposalOut, **ERRORS}, auth=AUTH)
def create_proposal(request, budget_id: int, payload: ProposalIn):
    proposal = services.proposal_create(
        actor=request.auth, budget=selectors.budget_get(budget_id), title=payload.title, text=payload.text, cost=payload.cost,
        organization=_get(Organization, payload.organization_id, "organization_not_found", "organization_id"),
    )
    return Status(201, selectors.proposal_get(proposal.pk))


@router.post("/proposals/{proposal_id}/review", response={200: ProposalOut, **ERRORS}, auth=AUTH)
def review_proposal(request, proposal_id: int, payload: ProposalReviewIn):
    services.proposal_review(actor=request.auth, proposal=selectors.proposal_get(proposal_id), feasible=payload.feasible, reason=payload.reason)
    return selectors.proposal_get(proposal_id)


@router.post("/budgets/{budget_id}/ballots", response={201: BallotOut, **ERRORS}, auth=AUTH)
def cast_ballot(request, budget_id: int, payload: BallotIn):
    """Once per person, online or on paper: 409 ``already_voted`` for the second, whichever door."""
    budget = selectors.budget_get(budget_id)
    ballot = services.ballot_cast(actor=request.auth, budget=budget, proposal_ids=payload.proposal_ids,
                                  on_behalf_of=_get(User, payload.on_behalf_of, "user_not_found", "on_behalf_of"))
    return Status(201, selectors.ballot_of(ballot.voter, budget))


@router.get("/budgets/{budget_id}/ballots/mine", response={200: BallotOut, **ERRORS}, auth=AUTH)
def my_ballot(request, budget_id: int):
    ballot = selectors.ballot_of(request.auth, selectors.budget_get(budget_id))
    if ballot is None:
        raise NotFound(_("You have not voted in this budget."), code="ballot_not_found")
    return ballot


@router.post("/budgets/{budget_id}/close", response={200: BudgetCloseOut, **ERRORS}, auth=AUTH)
def close_budget(request, budget_id: int):
    return {"winners": services.budget_close(actor=request.auth, budget=selectors.budget_get(budget_id))}


@router.get("/budgets/{budget_id}/results", response={200: BudgetResultsOut, **ERRORS}, auth=None)
def results(request, budget_id: int):
    """Every count (online, paper, total) and each proposal's rank and outcome, once closed."""
    budget = selectors.budget_get(budget_id)
    if budget.status != Budget.Status.CLOSED:
        raise Conflict(_("The results are published when the budget is closed."), code="not_closed")
    return {"budget": budget, "ballots": selectors.ballot_counts(budget), "items": list(selectors.proposals(budget))}


@router.post("/proposals/{proposal_id}/fund", response={201: ProposalOut, **ERRORS}, auth=AUTH)
def fund_proposal(request, proposal_id: int, payload: ProposalFundIn):
    """A winner becomes a funded project for bids, its cost a spending line of the public fund."""
    proposal = services.proposal_fund(actor=request.auth, proposal=selectors.proposal_get(proposal_id), bid_deadline=payload.bid_deadline,
                                      community=_get(Community, payload.community_id, "community_not_found", "community_id"))
    return Status(201, selectors.proposal_get(proposal.pk))

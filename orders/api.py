"""Claims and reviews part of the API contract, plus volunteer records."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import is_community_staff
from config.api import AUTH, ErrorOut, PageNumberPagination
from config.errors import NotFound, PermissionDenied, ValidationFailed
from marketplace.api import TaskBodyIn, TaskOut, task_fields, task_or_404
from orders import selectors, services
from orders.models import Bid, Contract, Donation, Milestone, Review, Spending

router = Router(tags=["claims"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ClaimOut(Schema):
    id: int
    task_id: int
    task: str
    user_id: int
    organization_id: int | None
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    credited_hours: Decimal
    submitted_hours: Decimal | None
    honour_hours: Decimal
    note: str
    hours_claimed: Decimal | None = Field(None, description="What the volunteer submitted.")
    hours_credited: Decimal = Field(..., description="Measured between check-in and check-out.")
    hours: Decimal | None = Field(None, description="Recorded at verification.")
    reject_reason: str
    points_awarded: int
    created_at: datetime

    @staticmethod
    def resolve_task(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_hours_claimed(obj) -> Decimal | None:
        return obj.submitted_hours

    @staticmethod
    def resolve_hours_credited(obj) -> Decimal:
        return obj.credited_hours


class ClaimIn(Schema):
    organization_id: int | None = None


class ClaimFilterIn(Schema):
    task: int | None = None
    community: int | None = None
    status: str | None = Field(None, max_length=20)
    mine: bool = False


class CodeIn(Schema):
    code: str = Field(..., max_length=12)


class SubmitIn(Schema):
    hours: Decimal | None = Field(None, max_digits=6, decimal_places=2)
    note: str = Field("", max_length=2000)


class VerifyIn(Schema):
    hours: Decimal | None = Field(
        None, max_digits=6, decimal_places=2,
        description="Hours to record, at most the task's length; by default the volunteer's hours_claimed, or else hours_credited.",
    )


class VerifyOut(ClaimOut):
    pass


class VerifyManyIn(Schema):
    claim_ids: list[int] = Field(..., min_length=1, max_length=200)
    hours: Decimal | None = Field(
        None, max_digits=6, decimal_places=2, description="Hours to record for each; by default each claim's hours_claimed, or else hours_credited."
    )


class SkippedOut(Schema):
    id: int
    code: str


class VerifyManyOut(Schema):
    verified: list[int]
    skipped: list[SkippedOut]


class RejectIn(Schema):
    reason: str = Field(..., max_length=200)


class ReviewIn(Schema):
    stars: int
    comment: str = Field("", max_length=2000)


class ReviewOut(Schema):
    id: int
    claim_id: int | None
    contract_id: int | None
    provider_id: int | None
    organization_id: int | None
    stars: int
    comment: str
    hidden: bool
    on_behalf: bool
    created_at: datetime

    @staticmethod
    def resolve_on_behalf(obj) -> bool:
        return obj.entered_by_id is not None

    @staticmethod
    def resolve_comment(obj) -> str:
        return "" if obj.hidden else obj.comment


class HideIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post("/tasks/{task_id}/claims", response={201: ClaimOut, **ERRORS}, auth=AUTH)
def claim_task(request, task_id: int, payload: ClaimIn | None = None):
    task = task_or_404(request, task_id)
    organization = None
    if payload is not None and payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None:
            raise NotFound(code="organization_not_found", field="organization_id")
    return Status(201, services.claim_create(actor=request.auth, task=task, organization=organization))


@router.get("/claims", response={200: list[ClaimOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def list_claims(request, filters: Query[ClaimFilterIn]):
    data = {k: v for k, v in filters.dict().items() if v is not None and k != "mine"}
    return selectors.claim_list(viewer=request.auth, filters=data, own_only=filters.mine)


@router.post("/claims/verify", response={200: VerifyManyOut, **ERRORS}, auth=AUTH)
def verify_many(request, payload: VerifyManyIn):
    verified, skipped = services.claims_verify_many(actor=request.auth, claim_ids=payload.claim_ids, hours=payload.hours)
    return {"verified": verified, "skipped": [{"id": s["id"], "code": s["code"]} for s in skipped]}


@router.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def get_claim(request, claim_id: int):
    return selectors.claim_get_for(claim_id, request.auth)


@router.post("/claims/{claim_id}/withdraw", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def withdraw(request, claim_id: int):
    return services.claim_withdraw(actor=request.auth, claim=selectors.claim_get_for(claim_id, request.auth))


@router.post("/claims/{claim_id}/check-in", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def check_in(request, claim_id: int, payload: CodeIn):
    return services.claim_check_in(actor=request.auth, claim=selectors.claim_get_for(claim_id, request.auth), code=payload.code)


@router.post("/claims/{claim_id}/check-out", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def check_out(request, claim_id: int, payload: CodeIn):
    return services.claim_check_out(actor=request.auth, claim=selectors.claim_get_for(claim_id, request.auth), code=payload.code)


@router.post("/claims/{claim_id}/submit", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def submit(request, claim_id: int, payload: SubmitIn):
    claim = selectors.claim_get_for(claim_id, request.auth)
    return services.claim_submit(actor=request.auth, claim=claim, hours=payload.hours, note=payload.note)


@router.post("/claims/{claim_id}/verify", response={200: VerifyOut, **ERRORS}, auth=AUTH)
def verify(request, claim_id: int, payload: VerifyIn | None = None):
    claim = selectors.claim_get_for(claim_id, request.auth)
    return services.claim_verify(actor=request.auth, claim=claim, hours=payload.hours if payload else None)


@router.post("/claims/{claim_id}/reject", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def reject(request, claim_id: int, payload: RejectIn):
    return services.claim_reject(actor=request.auth, claim=selectors.claim_get_for(claim_id, request.auth), reason=payload.reason)


@router.post("/claims/{claim_id}/review", response={201: ReviewOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def review(request, claim_id: int, payload: ReviewIn):
    claim = selectors.claim_get_for(claim_id, request.auth)
    return Status(201, services.review_create(actor=request.auth, claim=claim, stars=payload.stars, comment=payload.comment))


@router.post("/reviews/{review_id}/hide", response={200: ReviewOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def hide_review(request, review_id: int, payload: HideIn):
    review = get_object_or_404(Review.objects.select_related("claim__task"), pk=review_id)
    return services.review_hide(actor=request.auth, review=review, reason=payload.reason)


class ReputationOut(Schema):
    score: Decimal | None
    average: Decimal | None
    reviews: int
    services: int
    hours: Decimal
    credited_hours: Decimal
    honour_hours: Decimal


@router.get("/volunteers/{user_id}/reputation", response={200: ReputationOut, **ERRORS}, auth=None, tags=["reviews"])
def volunteer_reputation(request, user_id: int):
    return selectors.provider_reputation(user=get_object_or_404(User, pk=user_id, is_active=True))


@router.get("/organizations/{organization_id}/reputation", response={200: ReputationOut, **ERRORS}, auth=None, tags=["reviews"])
def organization_reputation(request, organization_id: int):
    org = get_object_or_404(Organization, pk=organization_id, status=Organization.Status.VERIFIED)
    return selectors.provider_reputation(organization=org)


class RecordLineOut(Schema):
    claim_id: int = Field(..., alias="id")
    task_id: int
    task: str
    community: str
    date: datetime
    hours: Decimal | None
    credited_hours: Decimal
    honour_hours: Decimal
    points: int = Field(..., alias="points_awarded")

    @staticmethod
    def resolve_task(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.task.community.name

    @staticmethod
    def resolve_date(obj) -> datetime:
        return obj.task.starts_at


class RecordOut(Schema):
    user_id: int
    services: int
    hours: Decimal
    credited_hours: Decimal
    honour_hours: Decimal
    points: int
    lines: list[RecordLineOut]


@router.get("/volunteers/{user_id}/record", response={200: RecordOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def volunteer_record(request, user_id: int):
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not selectors.record_visible_to(volunteer, request.auth):
        raise NotFound(code="user_not_found")
    return {"user_id": volunteer.pk, **selectors.volunteer_record_totals(volunteer), "lines": list(selectors.volunteer_record(volunteer)[:500])}



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
    scores: dict[int, int] = Field(..., description="criterion id → score from 0 to 100")


class RankingOut(Schema):
    bid_id: int
    organization: str
    amount: int
    status: str
    score: Decimal | None
    scorers: int


class AwardIn(Schema):
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
        return list(obj.tasks.values_list("pk", flat=True))


class MilestoneIn(Schema):
    deliverable: str = Field(..., max_length=200)
    due_date: date
    amount: int


class MilestonesIn(Schema):
    milestones: list[MilestoneIn] = Field(..., max_length=50)


class EvidenceIn(Schema):
    evidence: str = Field(..., max_length=5000)


class CommentIn(Schema):
    comment: str = Field(..., max_length=500)


class ContractReviewIn(Schema):
    stars: int
    comment: str = Field("", max_length=2000)


def _project(request, project_id: int):
    from marketplace.api import project_or_404

    return project_or_404(request, project_id)


def _bid_for(request, bid_id: int) -> Bid:
    bid = Bid.objects.select_related("project", "organization").filter(pk=bid_id).first()
    if bid is None or not selectors.bids_visible_to(bid.project, request.auth).filter(pk=bid.pk).exists():
        raise NotFound(code="bid_not_found")  # a sealed bid does not exist for anyone else
    return bid


def _contract(request, contract_id: int) -> Contract:
    contract = Contract.objects.select_related("project", "organization").filter(pk=contract_id).first()
    if contract is None:
        raise NotFound(code="contract_not_found")
    return contract


def _milestone(milestone_id: int) -> Milestone:
    milestone = Milestone.objects.select_related("contract__project", "contract__organization").filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound(code="milestone_not_found")
    return milestone


@router.post("/projects/{project_id}/bids", response={201: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def submit_bid(request, project_id: int, payload: BidIn):
    project = _project(request, project_id)
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
    return selectors.bids_visible_to(_project(request, project_id), request.auth)


@router.put("/bids/{bid_id}", response={200: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def revise_bid(request, bid_id: int, payload: BidUpdateIn):
    return services.bid_revise(actor=request.auth, bid=_bid_for(request, bid_id), **payload.dict())


@router.post("/bids/{bid_id}/withdraw", response={200: BidOut, **ERRORS}, auth=AUTH, tags=["projects"])
def withdraw_bid(request, bid_id: int):
    return services.bid_withdraw(actor=request.auth, bid=_bid_for(request, bid_id))


@router.post("/bids/{bid_id}/scores", response={200: list[RankingOut], **ERRORS}, auth=AUTH, tags=["projects"])
def score_bid(request, bid_id: int, payload: ScoresIn):
    bid = _bid_for(request, bid_id)
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
    project = _project(request, project_id)
    if not (project.bidding_closed() and is_community_staff(request.auth, project.community_id)):
        raise PermissionDenied(_("The ranking is for staff, after the bid deadline."), code="bidding_not_closed")
    return _ranking_rows(project)


@router.post("/projects/{project_id}/award", response={200: ContractOut, **ERRORS}, auth=AUTH, tags=["projects"])
def award(request, project_id: int, payload: AwardIn):
    project = _project(request, project_id)
    bid = Bid.objects.filter(pk=payload.bid_id, project=project).first()
    if bid is None:
        raise NotFound(code="bid_not_found", field="bid_id")
    return services.project_award(actor=request.auth, project=project, bid=bid, reason=payload.reason)


@router.get("/projects/{project_id}/contract", response={200: ContractOut, **ERRORS}, auth=None, tags=["projects"])
def get_contract(request, project_id: int):
    project = _project(request, project_id)
    contract = Contract.objects.select_related("organization").filter(project=project).first()
    if contract is None:
        raise NotFound(code="contract_not_found")
    return contract


@router.put("/contracts/{contract_id}/milestones", response={200: ContractOut, **ERRORS}, auth=AUTH, tags=["projects"])
def set_milestones(request, contract_id: int, payload: MilestonesIn):
    contract = _contract(request, contract_id)
    services.contract_set_milestones(actor=request.auth, contract=contract, items=[(m.deliverable, m.due_date, m.amount) for m in payload.milestones])
    contract.refresh_from_db()
    return contract


@router.post("/milestones/{milestone_id}/submit", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def submit_milestone(request, milestone_id: int, payload: EvidenceIn):
    return services.milestone_submit(actor=request.auth, milestone=_milestone(milestone_id), evidence=payload.evidence)


@router.post("/milestones/{milestone_id}/accept", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def accept_milestone(request, milestone_id: int):
    return services.milestone_accept(actor=request.auth, milestone=_milestone(milestone_id))


@router.post("/milestones/{milestone_id}/return", response={200: MilestoneOut, **ERRORS}, auth=AUTH, tags=["projects"])
def return_milestone(request, milestone_id: int, payload: CommentIn):
    return services.milestone_return(actor=request.auth, milestone=_milestone(milestone_id), comment=payload.comment)


@router.post("/contracts/{contract_id}/review", response={201: ReviewOut, **ERRORS}, auth=AUTH, tags=["projects"])
def review_contract(request, contract_id: int, payload: ContractReviewIn):
    return Status(201, services.contract_review(actor=request.auth, contract=_contract(request, contract_id), stars=payload.stars, comment=payload.comment))


@router.post("/contracts/{contract_id}/tasks", response={201: TaskOut, **ERRORS}, auth=AUTH, tags=["projects"])
def contract_task(request, contract_id: int, payload: TaskBodyIn):
    from marketplace.selectors import task_get

    task = services.contract_task_create(actor=request.auth, contract=_contract(request, contract_id), fields=task_fields(payload))
    return Status(201, task_get(task.pk, viewer=request.auth))


# --- Donations and funds -----------------------------------------------------------------------------
class DonationIn(Schema):
    community_id: int | None = None
    project_id: int | None = None
    amount: int = Field(..., description="In minor units (fen).")
    currency: str = Field("cny", max_length=3)
    anonymous: bool = False
    message: str = Field("", max_length=200)
    donor_name: str = Field("", max_length=60)


class DonationCreatedOut(Schema):
    id: int
    client_secret: str
    payment_intent_id: str
    status: str
    amount: int
    currency: str


class DonationOut(Schema):
    id: int
    community_id: int
    project_id: int | None
    amount: int
    refunded_amount: int
    currency: str
    status: str
    donor_name: str | None
    message: str
    created_at: datetime

    @staticmethod
    def resolve_donor_name(obj) -> str | None:
        return None if obj.anonymous else obj.donor_name


class FundOut(Schema):
    raised: int
    spent: int
    balance: int
    currency: str
    donations_count: int


class RefundIn(Schema):
    amount: int | None = None


class SpendingIn(Schema):
    amount: int
    spent_on: date
    purpose: str = Field(..., max_length=200)
    payee: str = Field(..., max_length=120)
    project_id: int | None = None
    corrects_id: int | None = None


class SpendingOut(Schema):
    id: int
    community_id: int
    project_id: int | None
    amount: int
    currency: str
    spent_on: date
    purpose: str
    payee: str
    corrects_id: int | None


@router.post("/donations", response={201: DonationCreatedOut, **ERRORS, 502: ErrorOut, 503: ErrorOut}, auth=None, tags=["donations"])
def donate(request, payload: DonationIn):
    from accounts.models import Community
    from config.api import optional_user
    from marketplace.models import Project

    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(pk=payload.project_id).exclude(status="draft").first()
        if project is None:
            raise NotFound(code="project_not_found", field="project_id")
        community = project.community
    elif payload.community_id is not None:
        community = get_object_or_404(Community, pk=payload.community_id)
    else:
        raise ValidationFailed(_("Give a project_id or a community_id."), code="required", field="community_id")
    user = optional_user(request)
    donation = services.donation_create(
        actor=user if user.is_authenticated else None, community=community, project=project, amount=payload.amount, currency=payload.currency,
        anonymous=payload.anonymous, message=payload.message, donor_name=payload.donor_name,
    )
    return Status(201, donation)


class PayIn(Schema):
    client_secret: str = Field(..., max_length=255)
    token: str = Field(..., max_length=255, description="The card token from Stripe.js createToken.")


class PayOut(Schema):
    id: int
    payment_status: str


@router.post("/donations/{donation_id}/pay", response={200: PayOut, **ERRORS, 502: ErrorOut, 503: ErrorOut}, auth=None, tags=["donations"])
def pay(request, donation_id: int, payload: PayIn):
    """Server-side confirmation: the page sends the card token; 3-D Secure, if asked for, follows
    in the page with Stripe.js. Whoever holds the payment's client secret may pay it."""
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        raise NotFound(code="donation_not_found")
    status = services.donation_pay_with_token(donation=donation, client_secret=payload.client_secret, token=payload.token)
    return {"id": donation.pk, "payment_status": status}


@router.get("/donations", response={200: list[DonationOut], **ERRORS}, auth=AUTH, tags=["donations"])
@paginate(PageNumberPagination)
def my_donations(request):
    return Donation.objects.filter(donor=request.auth).order_by("-created_at", "-id")


@router.get("/donations/{donation_id}", response={200: DonationOut, **ERRORS}, tags=["donations"], auth=None)
def get_donation(request, donation_id: int):
    from config.api import optional_user

    return selectors.donation_get_for(donation_id, optional_user(request), client_secret=request.GET.get("client_secret", ""))


@router.post("/donations/{donation_id}/refund", response={200: DonationOut, **ERRORS, 502: ErrorOut, 503: ErrorOut}, auth=AUTH, tags=["donations"])
def refund(request, donation_id: int, payload: RefundIn):
    donation = selectors.donation_get_for(donation_id, request.auth)
    return services.donation_refund(actor=request.auth, donation=donation, amount=payload.amount)


@router.get("/funds/{community_id}", response={200: FundOut, **ERRORS}, auth=None, tags=["donations"])
def fund(request, community_id: int, project: int | None = None):
    from accounts.models import Community
    from marketplace.models import Project

    community = get_object_or_404(Community, pk=community_id)
    scope = get_object_or_404(Project, pk=project, community=community) if project is not None else None
    return services.fund_figures(community=community, project=scope)


@router.post("/communities/{community_id}/spending", response={201: SpendingOut, **ERRORS}, auth=AUTH, tags=["donations"])
def record_spending(request, community_id: int, payload: SpendingIn):
    from accounts.models import Community
    from marketplace.models import Project

    community = get_object_or_404(Community, pk=community_id)
    project = get_object_or_404(Project, pk=payload.project_id) if payload.project_id is not None else None
    corrects = get_object_or_404(Spending, pk=payload.corrects_id) if payload.corrects_id is not None else None
    spending = services.spending_record(
        actor=request.auth, community=community, amount=payload.amount, spent_on=payload.spent_on, purpose=payload.purpose,
        payee=payload.payee, project=project, corrects=corrects,
    )
    return Status(201, spending)

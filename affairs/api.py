"""The public affairs API (基层事务信息公开): policies, service items, public funds with their
spending, and supervision reports (监督举报)."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.models import Community
from affairs import selectors, services
from affairs.models import Fund, PolicyCategory, ServiceItem
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound
from core.ratelimit import check as rate_limit
from marketplace.models import Project

router = Router(tags=["public affairs"])


def _community(community_id: int | None, field: str = "community_id") -> Community | None:
    if community_id is None:
        return None
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        raise NotFound(_("No such community."), code="community_not_found", field=field)
    return community


# --- Policies and service items ----------------------------------------------------------------------
class PolicyFilters(Schema):
    q: str | None = Field(None, max_length=100)
    category: str | None = None
    community: int | None = None


class PolicyOut(Schema):
    id: int
    title: str
    category: str
    issuer: str
    summary: str
    effective_at: date
    url: str | None
    community_id: int | None
    service_item_id: int | None

    @staticmethod
    def resolve_url(obj) -> str | None:
        return obj.url or None


class PolicyIn(Schema):
    title: str = Field(..., max_length=200)
    category: str = Field(..., max_length=20)
    issuer: str = Field(..., max_length=120)
    summary: str = Field(..., max_length=500)
    body: str = Field("", max_length=20000)
    effective_at: date
    community_id: int | None = None
    url: str = Field("", max_length=500)
    service_item_id: int | None = None


@router.get("/public/policies", response={200: list[PolicyOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_policies(request, filters: Query[PolicyFilters]):
    return selectors.policy_list(filters.dict(exclude_none=True))


@router.post("/public/policies", response={201: PolicyOut, **ERRORS}, auth=AUTH)
def create_policy(request, payload: PolicyIn):
    community = _community(payload.community_id)
    item = selectors.service_item_get_for(request.auth, payload.service_item_id) if payload.service_item_id is not None else None
    policy = services.policy_create(
        actor=request.auth, title=payload.title, category=payload.category, issuer=payload.issuer, summary=payload.summary, body=payload.body,
        effective_at=payload.effective_at, community=community, url=payload.url, service_item=item,
    )
    return Status(201, policy)


class ServiceItemOut(Schema):
    id: int
    name: str
    category: str
    where: str
    how_to_apply: str
    documents: str
    community_id: int | None
    online_action: str
    apply_url: str | None

    @staticmethod
    def resolve_apply_url(obj) -> str | None:
        return selectors.online_action_url(obj) or None


class ServiceItemIn(Schema):
    name: str = Field(..., max_length=120)
    category: str = Field(PolicyCategory.OTHER, max_length=20)
    where: str = Field(..., max_length=200)
    how_to_apply: str = Field(..., max_length=4000)
    documents: str = Field("", max_length=2000)
    community_id: int | None = None
    online_action: str = Field(ServiceItem.OnlineAction.NONE, max_length=12)


@router.get("/public/service-items", response={200: list[ServiceItemOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_service_items(request, filters: Query[PolicyFilters]):
    return selectors.service_item_list(filters.dict(exclude_none=True))


@router.post("/public/service-items", response={201: ServiceItemOut, **ERRORS}, auth=AUTH)
def create_service_item(request, payload: ServiceItemIn):
    item = services.service_item_create(
        actor=request.auth, name=payload.name, category=payload.category, where=payload.where, how_to_apply=payload.how_to_apply,
        documents=payload.documents, community=_community(payload.community_id), online_action=payload.online_action,
    )
    return Status(201, item)


# --- Funds ----------------------------------------------------------------------------------------------
class FundFilters(Schema):
    community: int | None = None
    street: int | None = None
    source: str | None = None
    year: int | None = Field(None, ge=1900, le=2999)


class PublicFundOut(Schema):
    id: int | None = Field(None, description="null for a community's donations (see GET /funds/{community_id})")
    name: str
    source: str
    amount: int
    spent: int
    currency: str
    year: int | None
    community_id: int | None


class SpendingLineOut(Schema):
    id: int
    at: date
    amount: int
    what: str
    project_id: int | None
    has_voucher: bool

    @staticmethod
    def resolve_has_voucher(obj) -> bool:
        return bool(obj.voucher)


class FundDetailOut(PublicFundOut):
    spending: list[SpendingLineOut]


class FundIn(Schema):
    name: str = Field(..., max_length=120)
    source: str = Field(..., max_length=12)
    amount: int = Field(..., description="In minor units (fen).")
    year: int
    community_id: int | None = None


class FundSpendingIn(Schema):
    amount: int = Field(..., description="In minor units (fen).")
    what: str = Field(..., max_length=200)
    at: date
    project_id: int | None = None


@router.get("/public/funds", response={200: list[PublicFundOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_funds(request, filters: Query[FundFilters]):
    return selectors.public_funds(filters.dict(exclude_none=True))


def _fund_detail(fund: Fund) -> dict:
    return {"id": fund.pk, "name": fund.name, "source": fund.source, "amount": fund.amount, "spent": fund.spent, "currency": fund.currency,
            "year": fund.year, "community_id": fund.community_id, "spending": list(selectors.fund_lines(fund))}


@router.get("/public/funds/{fund_id}", response={200: FundDetailOut, **ERRORS}, auth=None)
def get_fund(request, fund_id: int):
    return _fund_detail(selectors.fund_get_for(optional_user(request), fund_id))


@router.post("/public/funds", response={201: PublicFundOut, **ERRORS}, auth=AUTH)
def create_fund(request, payload: FundIn):
    fund = services.fund_create(
        actor=request.auth, name=payload.name, source=payload.source, amount=payload.amount, year=payload.year,
        community=_community(payload.community_id),
    )
    return Status(201, _fund_detail(selectors.fund_get_for(request.auth, fund.pk)))


@router.post("/public/funds/{fund_id}/spending", response={201: SpendingLineOut, **ERRORS}, auth=AUTH)
def record_spending(request, fund_id: int, payload: FundSpendingIn):
    fund = selectors.fund_get_for(request.auth, fund_id)
    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(pk=payload.project_id).first()
        if project is None:
            raise NotFound(_("No such project."), code="project_not_found", field="project_id")
    line = services.spending_line_record(actor=request.auth, fund=fund, amount=payload.amount, what=payload.what, at=payload.at, project=project)
    return Status(201, line)


# --- Supervision reports --------------------------------------------------------------------------------
class SupervisionReportIn(Schema):
    community_id: int
    subject: str = Field(..., max_length=120)
    text: str = Field(..., max_length=4000)
    anonymous: bool = False


class ReportCreatedOut(Schema):
    id: int
    tracking_no: str
    status: str


class SupervisionReportOut(Schema):
    id: int
    tracking_no: str
    community_id: int
    subject: str
    text: str
    anonymous: bool
    status: str
    reply: str
    public: bool
    escalated: bool
    created_at: datetime
    replied_at: datetime | None
    author_name: str | None = Field(None, description="null for an anonymous report, except to the district admin")

    @staticmethod
    def resolve_author_name(obj, context) -> str | None:
        # Who reads decides: the one rule of affairs.selectors.may_see_author.
        return selectors.report_author_name(context["request"].auth, obj)


class TrackedReportOut(Schema):
    tracking_no: str
    community_id: int
    subject: str
    status: str
    reply: str
    public: bool
    created_at: datetime
    replied_at: datetime | None


class PublicReportOut(Schema):
    id: int
    community_id: int
    subject: str
    text: str
    status: str
    reply: str
    replied_at: datetime | None


class ReportReplyIn(Schema):
    reply: str = Field(..., max_length=4000)
    status: str = Field(..., max_length=12)
    public: bool = False


class ReportFilters(Schema):
    community: int | None = None
    status: str | None = None


@router.post("/reports", response={201: ReportCreatedOut, **ERRORS}, auth=AUTH, tags=["supervision reports"])
def create_report(request, payload: SupervisionReportIn):
    rate_limit(request, "report_create", per=f"user:{request.auth.pk}")  # per person, wherever they write from
    community = _community(payload.community_id)
    report = services.report_create(actor=request.auth, community=community, subject=payload.subject, text=payload.text,
                                     anonymous=payload.anonymous)
    return Status(201, report)


@router.get("/reports", response={200: list[SupervisionReportOut], **ERRORS}, auth=AUTH, tags=["supervision reports"])
@paginate(PageNumberPagination)
def list_reports(request, filters: Query[ReportFilters]):
    """Staff see their communities' reports, the district admin all; anyone else an empty list."""
    return selectors.reports_for_staff(request.auth, filters.dict(exclude_none=True))


@router.get("/reports/{tracking_no}", response={200: TrackedReportOut, **ERRORS}, auth=AUTH, tags=["supervision reports"])
def track_report(request, tracking_no: str):
    return selectors.report_get_by_tracking_no(request.auth, tracking_no)


@router.post("/reports/{report_id}/reply", response={200: SupervisionReportOut, **ERRORS}, auth=AUTH, tags=["supervision reports"])
def reply_report(request, report_id: int, payload: ReportReplyIn):
    report = selectors.report_get_for(request.auth, report_id)
    return services.report_reply(actor=request.auth, report=report, reply=payload.reply, status=payload.status, public=payload.public)


@router.post("/reports/{report_id}/escalate", response={200: SupervisionReportOut, **ERRORS}, auth=AUTH, tags=["supervision reports"])
def escalate_report(request, report_id: int):
    return services.report_escalate(actor=request.auth, report=selectors.report_get_for(request.auth, report_id))


@router.get("/public/reports", response={200: list[PublicReportOut], **ERRORS}, auth=None, tags=["supervision reports"])
@paginate(PageNumberPagination)
def list_public_reports(request, filters: Query[ReportFilters]):
    return selectors.public_reports(filters.dict(exclude_none=True))

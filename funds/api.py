"""The donations API: give to a community fund or a project through Stripe, see and refund
donations, read a fund's figures, record spending."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH, optional_user
from accounts.selectors import community_get_for
from core.api import ERRORS, ErrorOut, PageNumberPagination
from core.errors import NotFound, ValidationFailed
from core.ratelimit import check as rate_limit
from funds import selectors, services
from funds.models import Donation, Spending
from marketplace import selectors as market_selectors
from marketplace.models import Project

router = Router(tags=["donations"])


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
    rate_limit(request, "donation_create")  # card testing starts by making donations in bulk

    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(pk=payload.project_id, published_at__isnull=False).first()
        if project is None:
            raise NotFound(code="project_not_found", field="project_id")
        community = project.community
    elif payload.community_id is not None:
        community = community_get_for(request.user, payload.community_id)
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
    # Per address and per donation: one donation retried with card after card is card testing.
    rate_limit(request, "donation_pay", per=str(donation_id))
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
    return selectors.donation_get_for(optional_user(request), donation_id, client_secret=request.GET.get("client_secret", ""))


@router.post("/donations/{donation_id}/refund", response={200: DonationOut, **ERRORS, 502: ErrorOut, 503: ErrorOut}, auth=AUTH, tags=["donations"])
def refund(request, donation_id: int, payload: RefundIn):
    donation = selectors.donation_get_for(request.auth, donation_id)
    return services.donation_refund(actor=request.auth, donation=donation, amount=payload.amount)


@router.get("/funds/{community_id}", response={200: FundOut, **ERRORS}, auth=None, tags=["donations"])
def fund(request, community_id: int, project: int | None = None):
    community = community_get_for(request.user, community_id)
    scope = None
    if project is not None:
        # A project never published (a draft, a cancelled draft) is only its staff's to know of.
        try:
            scope = market_selectors.project_get_for(optional_user(request), project)
        except NotFound:
            scope = None
        if scope is None or scope.community_id != community.pk:
            raise NotFound(code="project_not_found", field="project")
    return services.fund_figures(community=community, project=scope)


@router.post("/communities/{community_id}/spending", response={201: SpendingOut, **ERRORS}, auth=AUTH, tags=["donations"])
def record_spending(request, community_id: int, payload: SpendingIn):
    community = community_get_for(request.user, community_id)
    project = get_object_or_404(Project, pk=payload.project_id) if payload.project_id is not None else None
    corrects = get_object_or_404(Spending, pk=payload.corrects_id) if payload.corrects_id is not None else None
    spending = services.spending_record(
        actor=request.auth, community=community, amount=payload.amount, spent_on=payload.spent_on, purpose=payload.purpose,
        payee=payload.payee, project=project, corrects=corrects,
    )
    return Status(201, spending)

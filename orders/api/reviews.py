"""Reviews in the API contract: write one for a claim, hide one (staff), and the reputation of a volunteer
or an organisation."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from accounts.auth import AUTH
from accounts.models import Organization, User
from core.api import ERRORS
from orders import selectors, services
from orders.models import Review

__all__ = ["router", "ReviewIn", "ReviewOut", "ReviewHideIn", "ReputationOut"]
OPERATION_IDS_OF = "orders.api.claims"  # the operation ids predate the split (config/api.py)


router = Router(tags=["claims"])


class ReviewIn(Schema):
    stars: int
    comment: str = Field("", max_length=2000)
    on_behalf_of: int | None = Field(None, description="Staff: the beneficiary they enter the review for.")
    consent_note: str = Field("", max_length=200, description="Staff: how the beneficiary agreed.")


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
    entered_as: str = Field(..., description="Empty, or staff (由工作人员代录) or guardian: who entered it for the beneficiary.")
    created_at: datetime

    @staticmethod
    def resolve_on_behalf(obj) -> bool:
        return obj.entered_by_id is not None

    @staticmethod
    def resolve_comment(obj) -> str:
        return "" if obj.hidden else obj.comment


class ReviewHideIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post("/claims/{claim_id}/review", response={201: ReviewOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def review(request, claim_id: int, payload: ReviewIn):
    claim = selectors.claim_get_for(request.auth, claim_id)
    review = services.review_create(
        actor=request.auth,
        claim=claim,
        stars=payload.stars,
        comment=payload.comment,
        on_behalf_of=payload.on_behalf_of,
        consent_note=payload.consent_note,
    )
    return Status(201, review)


@router.post("/reviews/{review_id}/hide", response={200: ReviewOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def hide_review(request, review_id: int, payload: ReviewHideIn):
    review = get_object_or_404(Review.objects.select_related("claim__task", "contract__project"), pk=review_id)
    return services.review_hide(actor=request.auth, review=review, reason=payload.reason)


class ReputationOut(Schema):
    score: Decimal | None
    average: Decimal | None
    reviews: int
    reviews_entered_by_staff: int = Field(..., description="Of the reviews, how many staff entered for the person served (代录).")
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

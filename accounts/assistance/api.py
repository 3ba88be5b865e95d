"""Service cards, guardians and assisted registration (the contract's "Two-party confirmation and
assisted use"). Confirming a service and acting on a resident's behalf are in ``orders``."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accounts import selectors
from accounts.assistance import services as assistance
from accounts.auth import AUTH
from accounts.models import Community
from accounts.people import guardian_candidate
from core.api import ERRORS, PageNumberPagination
from core.masking import mask_name

router = Router(tags=["service cards"])


class CardOut(Schema):
    code: str = Field(..., description="The code printed on the card (also the content of its QR code).")
    issued_at: datetime

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.shown_code


class GuardianIn(Schema):
    who: str | None = Field(None, max_length=40, description="Their whole phone number or volunteer number (as the people search finds a person).")
    user_id: int | None = Field(None, description="Kept for older clients; the answer is the same (the name masked, the link waiting).")


class GuardianOut(Schema):
    user_id: int
    display_name: str = Field(..., description="Partly masked until they accept.")
    accepted: bool = Field(..., description="False while the person named has not said yes: until then they cannot act for you.")
    created_at: datetime

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.guardian_id

    @staticmethod
    def resolve_display_name(obj) -> str:
        return obj.guardian.shown_name if obj.accepted_at else mask_name(obj.guardian.shown_name)

    @staticmethod
    def resolve_accepted(obj) -> bool:
        return obj.accepted_at is not None


class WardOut(Schema):
    user_id: int
    display_name: str = Field(..., description="Partly masked, as on the service card.")

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.resident_id

    @staticmethod
    def resolve_display_name(obj) -> str:
        return mask_name(obj.resident.shown_name)


class AssistedResidentIn(Schema):
    display_name: str = Field(..., max_length=60)
    phone: str = Field("", max_length=20)


class AssistedResidentOut(Schema):
    id: int
    username: str
    display_name: str
    card_code: str

    @staticmethod
    def resolve_card_code(obj) -> str:
        return obj.service_card.shown_code


@router.get("/me/service-card", response={200: CardOut, **ERRORS}, auth=AUTH)
def my_service_card(request):
    return assistance.service_card_get(actor=request.auth)


@router.post("/me/service-card/renew", response={200: CardOut, **ERRORS}, auth=AUTH)
def renew_my_service_card(request):
    return assistance.service_card_renew(actor=request.auth)


@router.get("/me/guardians", response={200: list[GuardianOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def my_guardians(request):
    return selectors.guardian_links_of(request.auth)


@router.get("/me/wards", response={200: list[WardOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def my_wards(request):
    """The residents who named the caller their guardian."""
    return selectors.wards_of(request.auth)


@router.post("/me/guardians", response={201: GuardianOut, **ERRORS}, auth=AUTH)
def add_guardian(request, payload: GuardianIn):
    """Name a guardian, found by their whole phone or volunteer number (``who``). The link waits
    until they accept (``POST /me/guardian-requests/{user_id}/accept``)."""
    guardian = guardian_candidate(request.auth, who=payload.who, user_id=payload.user_id)
    return Status(201, assistance.guardian_add(actor=request.auth, guardian=guardian))


@router.get("/me/guardian-requests", response={200: list[WardOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def my_guardian_requests(request):
    """The residents who named the caller their guardian and wait for a yes or no."""
    return selectors.guardian_requests_for(request.auth)


@router.post("/me/guardian-requests/{user_id}/accept", response={200: WardOut, **ERRORS}, auth=AUTH)
def accept_guardian_request(request, user_id: int):
    return assistance.guardian_accept(actor=request.auth, resident_id=user_id)


@router.delete("/me/guardian-requests/{user_id}", response={204: None, **ERRORS}, auth=AUTH)
def decline_guardian_request(request, user_id: int):
    """Decline, or step down as a guardian later."""
    assistance.guardian_decline(actor=request.auth, resident_id=user_id)
    return Status(204, None)


@router.delete("/me/guardians/{user_id}", response={204: None, **ERRORS}, auth=AUTH)
def remove_guardian(request, user_id: int):
    assistance.guardian_remove(actor=request.auth, guardian_id=user_id)
    return Status(204, None)


@router.post("/communities/{community_id}/residents", response={201: AssistedResidentOut, **ERRORS}, auth=AUTH)
def register_resident(request, community_id: int, payload: AssistedResidentIn):
    """Staff register a resident without a phone: no password anyone can use, a service card to print."""
    community = get_object_or_404(Community, pk=community_id)
    user = assistance.resident_register_assisted(actor=request.auth, community=community, display_name=payload.display_name, phone=payload.phone)
    return Status(201, user)

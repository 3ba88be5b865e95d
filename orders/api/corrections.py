"""Corrections of a verified claim's hours in the API contract: requested, decided."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from accounts.auth import AUTH
from core.api import ERRORS
from orders import selectors, services

__all__ = ["router", "CorrectionIn", "ClaimDecideIn", "CorrectionOut"]
OPERATION_IDS_OF = "orders.api.claims"  # the operation ids predate the split (config/api.py)


router = Router(tags=["claims"])


# --- Corrections of the recorded hours ------------------------------------------------------------
class CorrectionIn(Schema):
    # Both optional in the schema so that a missing one is the service's 400 with its code.
    hours: Decimal | None = Field(None, max_digits=6, decimal_places=2, description="The hours that should be recorded.")
    reason: str = Field("", max_length=1000)


class ClaimDecideIn(Schema):
    approve: bool
    reply: str = Field("", max_length=500)


class CorrectionOut(Schema):
    id: int
    claim_id: int
    status: str
    hours_before: Decimal = Field(..., description="Recorded when the correction was asked for.")
    hours: Decimal = Field(..., description="Asked for; recorded once approved.")
    reason: str
    reply: str
    created_at: datetime
    decided_at: datetime | None


@router.post("/claims/{claim_id}/corrections", response={201: CorrectionOut, **ERRORS}, auth=AUTH)
def request_correction(request, claim_id: int, payload: CorrectionIn):
    claim = selectors.claim_get_for(request.auth, claim_id)
    return Status(201, services.correction_request(actor=request.auth, claim=claim, hours=payload.hours, reason=payload.reason))


@router.post("/corrections/{correction_id}/decide", response={200: CorrectionOut, **ERRORS}, auth=AUTH)
def decide_correction(request, correction_id: int, payload: ClaimDecideIn):
    correction = selectors.correction_get_for(request.auth, correction_id)
    return services.correction_decide(actor=request.auth, correction=correction, approve=payload.approve, reply=payload.reply)

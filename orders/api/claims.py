"""Claims in the API contract: take a slot, list, withdraw, check in and out, submit, confirm, verify
(one or many), reject."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.models import Organization
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound
from marketplace import selectors as market_selectors
from orders import selectors, services

__all__ = ["router", "ClaimOut", "ClaimIn", "ClaimFilterIn", "ClaimCodeIn", "BENEFICIARY_CODE", "CheckOutIn", "SubmitIn", "ConfirmIn", "ConfirmOut", "VerifyIn", "VerifyOut", "VerifyManyIn", "SkippedOut", "VerifyManyOut", "RejectIn"]


router = Router(tags=["claims"])


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
    awaiting_confirmation: bool = Field(..., description="The task has a beneficiary who has not confirmed the service yet.")
    confirmed_at: datetime | None
    confirmation_method: str = Field(..., description="code, self, guardian or staff; empty until confirmed.")
    confirmation_answer: str = Field(..., description='What the person served answered: "done", "not_done", or empty until they answer.')
    disputed: bool = Field(..., description='The person served answered "not_done" and staff have not settled it yet (verify answers 409 disputed).')
    dispute_reason: str = Field(..., description="Staff's reason when they settled a dispute.")
    created_at: datetime

    @staticmethod
    def resolve_task(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_awaiting_confirmation(obj) -> bool:
        return obj.awaits_confirmation

    @staticmethod
    def resolve_confirmation_answer(obj) -> str:
        return obj.confirmation_answer or ("done" if obj.confirmed_at else "")

    @staticmethod
    def resolve_disputed(obj) -> bool:
        return obj.is_disputed

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


class ClaimCodeIn(Schema):
    code: str = Field(..., max_length=12)


BENEFICIARY_CODE = Field("", max_length=40, description="The code on the service card of the person served (or its QR code's content).")


class CheckOutIn(ClaimCodeIn):
    beneficiary_code: str = BENEFICIARY_CODE


class SubmitIn(Schema):
    hours: Decimal | None = Field(None, max_digits=6, decimal_places=2)
    note: str = Field("", max_length=2000)
    beneficiary_code: str = BENEFICIARY_CODE


class ConfirmIn(Schema):
    answer: Literal["done", "not_done"] = Field("done", description='"not_done": the service did not happen; the claim goes to staff as disputed.')
    comment: str = Field("", max_length=500, description="What the person served wants staff to know.")
    consent_note: str = Field("", max_length=200, description="Required when staff confirm on the person's behalf.")
    beneficiary_code: str = BENEFICIARY_CODE


class ConfirmOut(ClaimOut):
    already_confirmed: bool = False


class VerifyIn(Schema):
    hours: Decimal | None = Field(
        None, max_digits=6, decimal_places=2,
        description="Hours to record, at most the task's length; by default the volunteer's hours_claimed, or else hours_credited.",
    )
    settle_reason: str = Field("", max_length=200, description="Required for a disputed claim (409 disputed without it): why staff verify it.")


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


@router.post("/tasks/{task_id}/claims", response={201: ClaimOut, **ERRORS}, auth=AUTH)
def claim_task(request, task_id: int, payload: ClaimIn | None = None):
    # The caller AUTH found (no second token lookup), and the task's own row: the claim's answer
    # reads the task that claim_create locks and reads again.
    task = market_selectors.task_get_for(request.auth, task_id, bare=True)
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
    return selectors.claim_get_for(request.auth, claim_id)


@router.post("/claims/{claim_id}/withdraw", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def withdraw(request, claim_id: int):
    return services.claim_withdraw(actor=request.auth, claim=selectors.claim_get_for(request.auth, claim_id))


@router.post("/claims/{claim_id}/check-in", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def check_in(request, claim_id: int, payload: ClaimCodeIn):
    return services.claim_check_in(actor=request.auth, claim=selectors.claim_get_for(request.auth, claim_id), code=payload.code)


@router.post("/claims/{claim_id}/check-out", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def check_out(request, claim_id: int, payload: CheckOutIn):
    claim = selectors.claim_get_for(request.auth, claim_id)
    return services.claim_check_out(actor=request.auth, claim=claim, code=payload.code, beneficiary_code=payload.beneficiary_code)


@router.post("/claims/{claim_id}/submit", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def submit(request, claim_id: int, payload: SubmitIn):
    claim = selectors.claim_get_for(request.auth, claim_id)
    return services.claim_submit(actor=request.auth, claim=claim, hours=payload.hours, note=payload.note, beneficiary_code=payload.beneficiary_code)


@router.post("/claims/{claim_id}/confirm", response={200: ConfirmOut, **ERRORS}, auth=AUTH)
def confirm(request, claim_id: int, payload: ConfirmIn | None = None):
    """The person served answers whether the service happened (``answer``: done or not_done, with
    an optional ``comment``): themselves, a guardian, staff on their behalf (``consent_note``), or
    the volunteer with their card's code (done only). 409 ``too_early`` before the task has
    started; ``not_done`` makes the claim disputed (verify: 409 ``disputed`` until staff give a
    ``settle_reason``). A second answer is a no-op (``already_confirmed: true``)."""
    claim = selectors.claim_get_for(request.auth, claim_id)
    payload = payload or ConfirmIn()
    claim, already = services.claim_confirm(
        actor=request.auth, claim=claim, consent_note=payload.consent_note, beneficiary_code=payload.beneficiary_code,
        answer=payload.answer, comment=payload.comment,
    )
    claim.already_confirmed = already
    return claim


@router.post("/claims/{claim_id}/verify", response={200: VerifyOut, **ERRORS}, auth=AUTH)
def verify(request, claim_id: int, payload: VerifyIn | None = None):
    claim = selectors.claim_get_for(request.auth, claim_id)
    return services.claim_verify(
        actor=request.auth, claim=claim, hours=payload.hours if payload else None, settle_reason=payload.settle_reason if payload else ""
    )


@router.post("/claims/{claim_id}/reject", response={200: ClaimOut, **ERRORS}, auth=AUTH)
def reject(request, claim_id: int, payload: RejectIn):
    return services.claim_reject(actor=request.auth, claim=selectors.claim_get_for(request.auth, claim_id), reason=payload.reason)

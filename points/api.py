"""Points part of the API contract: balances, statements, budget, awards, transfers, the
points supermarket and redemptions."""

import hashlib
import json
from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import community_get_for, is_community_staff, user_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from core.errors import NotFound, PermissionDenied
from points import selectors, services

router = Router(tags=["points"])



def _idempotency_key(request, prefix: str) -> str | None:
    """Clients may send ``Idempotency-Key`` so a retried request pays once."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return None
    return f"{prefix}:client:{request.auth.pk}:{key[:80]}"


def _fingerprint(request, payload: Schema) -> str:
    """A hash of the request a client's Idempotency-Key comes with (the path and the validated body,
    canonical JSON), stored with the key: the same key with another request is a 409
    ``idempotency_key_reused``, never an answer about the first one. Empty without a key."""
    if not (request.headers.get("Idempotency-Key") or "").strip():
        return ""
    canonical = json.dumps({"path": request.path, "body": payload.dict()}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Balances and statements -----------------------------------------------------------------
class CommunityBalanceOut(Schema):
    community_id: int
    community: str
    balance: int


class BalanceOut(Schema):
    balance: int
    communities: list[CommunityBalanceOut]


@router.get("/points/balance", response={200: BalanceOut, **ERRORS}, auth=AUTH)
def balance(request):
    accounts = selectors.person_balances(request.auth)
    return {
        "balance": sum(a.balance for a in accounts),
        "communities": [{"community_id": a.community_id, "community": a.community.name, "balance": a.balance} for a in accounts],
    }


class EntryOut(Schema):
    id: int
    amount: int
    balance_after: int
    reason: str = Field(..., alias="transaction.memo_text", description="In the request's language.")
    kind: str = Field(..., alias="transaction.kind")
    community_id: int = Field(..., alias="account.community_id")
    created_at: datetime


class EntryFilterIn(Schema):
    community: int | None = None
    kind: str | None = Field(None, max_length=20)


@router.get("/points/entries", response={200: list[EntryOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def entries(request, filters: Query[EntryFilterIn]):
    return selectors.person_entries(request.auth, filters=filters.dict(exclude_none=True))


# --- Budget, awards, rules, summary ------------------------------------------------------------
class AmountIn(Schema):
    amount: int
    memo: str = Field("", max_length=200)


class PostedOut(Schema):
    transaction_id: int
    amount: int
    balance: int


@router.post("/communities/{community_id}/points/budget", response={201: PostedOut, **ERRORS}, auth=AUTH)
def budget(request, community_id: int, payload: AmountIn):
    community = community_get_for(request.user, community_id)
    posted = services.points_budget(
        actor=request.auth,
        community=community,
        amount=payload.amount,
        memo=payload.memo,
        idempotency_key=_idempotency_key(request, f"budget:{community.pk}"),
        request_fingerprint=_fingerprint(request, payload),
    )
    return Status(201, {"transaction_id": posted.transaction.pk, "amount": payload.amount, "balance": services.pool_account(community).balance})


class AwardIn(Schema):
    user_id: int
    amount: int
    reason: str = Field(..., max_length=200)


class AwardOut(Schema):
    transaction_id: int | None
    requested: int
    awarded: int
    capped: bool
    detail: str


@router.post("/communities/{community_id}/points/awards", response={201: AwardOut, **ERRORS}, auth=AUTH)
def award(request, community_id: int, payload: AwardIn):
    community = community_get_for(request.user, community_id)
    user = user_get_for(request.auth, payload.user_id)
    result = services.points_award_by_staff(
        actor=request.auth,
        community=community,
        user=user,
        amount=payload.amount,
        reason=payload.reason,
        idempotency_key=_idempotency_key(request, f"award:{community.pk}"),
        request_fingerprint=_fingerprint(request, payload),
    )
    return Status(
        201,
        {
            "transaction_id": result.transaction.pk if result.transaction else None,
            "requested": result.requested,
            "awarded": result.awarded,
            "capped": result.capped,
            "detail": result.message,
        },
    )


class RuleIn(Schema):
    daily_cap: int | None = None
    lifetime_cap: int | None = None
    reservation_days: int = 7


class RuleOut(Schema):
    community_id: int
    daily_cap: int | None
    lifetime_cap: int | None
    reservation_days: int


@router.get("/communities/{community_id}/points/rules", response={200: RuleOut, **ERRORS}, auth=None)
def get_rules(request, community_id: int):
    return selectors.community_rule(community_get_for(request.user, community_id))


@router.put("/communities/{community_id}/points/rules", response={200: RuleOut, **ERRORS}, auth=AUTH)
def put_rules(request, community_id: int, payload: RuleIn):
    community = community_get_for(request.user, community_id)
    return services.rule_update(actor=request.auth, community=community, **payload.dict())


class SummaryOut(Schema):
    community_id: int
    pool: int
    budgeted: int
    issued: int
    redeemed: int
    outstanding: int
    reserved_redemptions: int


@router.get("/communities/{community_id}/points/summary", response={200: SummaryOut, **ERRORS}, auth=AUTH)
def summary(request, community_id: int):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.auth, community.pk):
        raise PermissionDenied()
    return selectors.community_summary(community)


# --- Transfers -----------------------------------------------------------------------------------
class TransferIn(Schema):
    community_id: int
    amount: int
    to_user_id: int | None = None
    to_pool: bool = False


class TransferOut(Schema):
    transaction_id: int
    amount: int
    balance: int


@router.post("/points/transfers", response={201: TransferOut, **ERRORS}, auth=AUTH)
def transfer(request, payload: TransferIn):
    community = community_get_for(request.user, payload.community_id)
    to_user = user_get_for(request.auth, payload.to_user_id) if payload.to_user_id is not None else None
    posted = services.points_transfer(
        actor=request.auth,
        community=community,
        amount=payload.amount,
        to_user=to_user,
        to_pool=payload.to_pool,
        idempotency_key=_idempotency_key(request, "transfer"),
        request_fingerprint=_fingerprint(request, payload),
    )
    return Status(
        201,
        {"transaction_id": posted.transaction.pk, "amount": payload.amount, "balance": selectors.person_balance_in(request.auth, community)},
    )


# --- Rewards -------------------------------------------------------------------------------------
class RewardOut(Schema):
    id: int
    community_id: int
    name: str
    description: str
    cost: int
    stock: int
    per_person_limit: int | None
    active_from: datetime | None
    active_to: datetime | None
    is_active: bool


class RewardFilterIn(Schema):
    community: int | None = None
    q: str | None = Field(None, max_length=100)
    max_cost: int | None = None
    in_stock: bool | None = None


class RewardIn(Schema):
    community_id: int
    name: str = Field(..., max_length=80)
    description: str = Field("", max_length=2000)
    cost: int
    stock: int
    per_person_limit: int | None = None
    active_from: ApiDateTime | None = None
    active_to: ApiDateTime | None = None


class RewardUpdateIn(Schema):
    name: str = Field(..., max_length=80)
    description: str = Field("", max_length=2000)
    cost: int
    stock: int
    per_person_limit: int | None = None
    active_from: ApiDateTime | None = None
    active_to: ApiDateTime | None = None
    is_active: bool = True


@router.get("/rewards", response={200: list[RewardOut], **ERRORS}, auth=None, tags=["rewards"])
@paginate(PageNumberPagination)
def list_rewards(request, filters: Query[RewardFilterIn]):
    return selectors.reward_list(filters=filters.dict(exclude_none=True))


@router.post("/rewards", response={201: RewardOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def create_reward(request, payload: RewardIn):
    community = community_get_for(request.user, payload.community_id)
    data = payload.dict(exclude={"community_id"})
    return Status(201, services.reward_create(actor=request.auth, community=community, **data))


@router.get("/rewards/{reward_id}", response={200: RewardOut, **ERRORS}, auth=None, tags=["rewards"])
def get_reward(request, reward_id: int):
    return selectors.reward_get_for(None, reward_id)


@router.put("/rewards/{reward_id}", response={200: RewardOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def update_reward(request, reward_id: int, payload: RewardUpdateIn):
    reward = selectors.reward_get_for(request.auth, reward_id)
    return services.reward_update(actor=request.auth, reward=reward, **payload.dict())


# --- Redemptions ---------------------------------------------------------------------------------
class RedemptionIn(Schema):
    reward_id: int
    quantity: int = 1


class RedemptionOut(Schema):
    id: int
    reward_id: int
    reward: str
    community_id: int
    user_id: int
    quantity: int
    points: int
    status: str
    code: str | None = Field(None, description="The pickup code; shown only to the person who reserved it.")
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_reward(obj) -> str:
        return obj.reward.name

    @staticmethod
    def resolve_code(obj, context) -> str | None:
        # Staff check the code the person shows at the counter; they must not be able to read it.
        viewer = context["request"].auth
        return obj.code if viewer is not None and obj.user_id == viewer.pk else None


class RedemptionFilterIn(Schema):
    community: int | None = None
    status: str | None = Field(None, max_length=20)
    reward: int | None = None


class CodeIn(Schema):
    code: str = Field(..., max_length=20)


@router.post("/redemptions", response={201: RedemptionOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def reserve(request, payload: RedemptionIn):
    try:
        reward = selectors.reward_get_for(request.auth, payload.reward_id)
    except NotFound:
        raise NotFound(code="reward_not_found", field="reward_id") from None
    redemption = services.redemption_reserve(actor=request.auth, reward=reward, quantity=payload.quantity)
    return Status(201, redemption)


@router.get("/redemptions", response={200: list[RedemptionOut], **ERRORS}, auth=AUTH, tags=["rewards"])
@paginate(PageNumberPagination)
def list_redemptions(request, filters: Query[RedemptionFilterIn]):
    return selectors.redemption_list(viewer=request.auth, filters=filters.dict(exclude_none=True))


@router.get("/redemptions/{redemption_id}", response={200: RedemptionOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def get_redemption(request, redemption_id: int):
    return selectors.redemption_get_for(request.auth, redemption_id)


@router.post("/redemptions/{redemption_id}/fulfil", response={200: RedemptionOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def fulfil(request, redemption_id: int, payload: CodeIn):
    redemption = selectors.redemption_get_for(request.auth, redemption_id)
    done = services.redemption_fulfil(actor=request.auth, redemption=redemption, code=payload.code)
    return done


class CancelIn(Schema):
    reason: str = Field("", max_length=200, description="Why staff cancel someone's reservation (required then; the person is told).")


@router.post("/redemptions/{redemption_id}/cancel", response={200: RedemptionOut, **ERRORS}, auth=AUTH, tags=["rewards"])
def cancel(request, redemption_id: int, payload: CancelIn | None = None):
    """The owner cancels with no body; staff cancelling someone else's reservation send a reason."""
    redemption = selectors.redemption_get_for(request.auth, redemption_id)
    done = services.redemption_cancel(actor=request.auth, redemption=redemption, reason=payload.reason if payload else "")
    return done

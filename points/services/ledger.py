"""Every movement of points: accounts, the one posting function, budgets, awards, transfers, rules.

Guarantees, for every function here:
- a transaction's legs sum to zero and are written with the cached balances in one DB transaction;
- no person or pool goes below zero (a conditional UPDATE refuses it, a CHECK constraint backs it);
- the same idempotency key is written once, so a retried award, refund or budget pays once;
- a refusal raises an ``ApplicationError`` and writes nothing.

The points supermarket (rewards and redemptions) spends through ``post_transaction``: see
``points.services.supermarket``.

Lock order, so that two transactions never wait on each other in a cycle (PostgreSQL): points
accounts first, in id order; then the redemption; then the reward. On SQLite every write
transaction starts with BEGIN IMMEDIATE, so writers simply queue.
"""

import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.models import Community, Membership, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from points.models import (
    LedgerEntry,
    LedgerTransaction,
    PointsAccount,
    PointsRule,
)

__all__ = [
    "MAX_POINTS_PER_MOVE",
    "AwardResult",
    "IdempotencyKeyReused",
    "InsufficientPoints",
    "Posted",
    "clearing_account",
    "community_rule",
    "district_account",
    "lock_accounts",
    "new_key",
    "person_account",
    "points_award",
    "points_award_by_staff",
    "points_budget",
    "points_transfer",
    "pool_account",
    "post_transaction",
    "rule_update",
    "sink_account",
]

MAX_POINTS_PER_MOVE = 1_000_000_000
# Accounts that may go below zero: the district's budget source, and clearing accounts (a
# community that received more allied points than it sent is owed, which is a negative balance).
MAY_GO_NEGATIVE = {PointsAccount.Kind.DISTRICT, PointsAccount.Kind.CLEARING}


class InsufficientPoints(Conflict):
    default_code = "insufficient_points"


class IdempotencyKeyReused(Conflict):
    default_code = "idempotency_key_reused"


def _same_request(existing: LedgerTransaction, fingerprint: str) -> None:
    """A key found again must come with the request it was first used for (when the client chose it)."""
    if fingerprint and existing.request_fingerprint and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request. Send a new key for a new request."),
            code="idempotency_key_reused",
        )


# --- Accounts ---------------------------------------------------------------------------------
def district_account() -> PointsAccount:
    return PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.DISTRICT, community=None, user=None)[0]


def pool_account(community: Community) -> PointsAccount:
    return PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.POOL, community=community, user=None)[0]


def sink_account(community: Community) -> PointsAccount:
    return PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.SINK, community=community, user=None)[0]


def person_account(user: User, community: Community) -> PointsAccount:
    return PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.PERSON, community=community, user=user)[0]


def clearing_account(community: Community, counterparty: Community) -> PointsAccount:
    """The clearing account of ``community`` toward an allied ``counterparty`` (通存通兑)."""
    return PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.CLEARING, community=community, counterparty=counterparty, user=None)[0]


def lock_accounts(*accounts: PointsAccount) -> None:
    """Take the row locks of these accounts in id order (a no-op on SQLite, which locks the file)."""
    if connection.features.has_select_for_update:
        ids = sorted({a.pk for a in accounts})
        list(PointsAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _check_amount(amount: int, *, field: str = "amount") -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed(_("The number of points must be a whole number above zero."), code="invalid_amount", field=field)
    if amount > MAX_POINTS_PER_MOVE:
        raise ValidationFailed(_("That is more points than can be moved at once."), code="invalid_amount", field=field)
    return amount


def new_key(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


@dataclass
class Posted:
    transaction: LedgerTransaction
    created: bool  # False when the idempotency key had been written before: nothing new was paid


def post_transaction(
    *,
    kind: str,
    legs: list[tuple[PointsAccount, int]],
    idempotency_key: str,
    actor: User | None,
    memo: str = "",
    memo_code: str = "",
    memo_params: dict | None = None,
    subject=None,
    request_fingerprint: str = "",
) -> Posted:
    """Write one balanced transaction, or find the one already written under this key. A reason the
    system writes is ``memo_code`` (a code of ``accounts.notices``) with ``memo_params``.

    Raises ``InsufficientPoints`` (and writes nothing) when a leg would take a person or a pool
    below zero, and ``IdempotencyKeyReused`` when the key was written for another request."""
    if len(legs) < 2 or sum(amount for _account, amount in legs) != 0 or any(amount == 0 for _a, amount in legs):
        raise ValueError("a ledger transaction needs two or more non-zero legs that sum to zero")
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        _same_request(existing, request_fingerprint)
        return Posted(existing, False)
    subject_fields = {}
    if subject is not None:
        subject_fields = {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}
    try:
        with transaction.atomic():
            tx = LedgerTransaction.objects.create(
                kind=kind, actor=actor, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint or None,
                memo=str(memo or notices.render(memo_code, memo_params, memo_code))[:200],
                memo_code=memo_code or None, memo_params=(memo_params or {}) if memo_code else None, **subject_fields
            )
            for account, amount in sorted(legs, key=lambda leg: leg[0].pk):
                # The race this stops: two spends of the same points. The check and the change are
                # one statement, so of two concurrent spends only one can find the points there.
                moved = PointsAccount.objects.filter(pk=account.pk)
                if account.kind not in MAY_GO_NEGATIVE:
                    moved = moved.filter(balance__gte=-amount)
                if not moved.update(balance=F("balance") + amount):
                    if account.kind == PointsAccount.Kind.POOL:
                        raise InsufficientPoints(_("The community's points pool does not hold enough points."), code="insufficient_pool_points")
                    raise InsufficientPoints(_("Not enough points."))
                balance_after = PointsAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).get()
                LedgerEntry.objects.create(transaction=tx, account=account, amount=amount, balance_after=balance_after)
    except IntegrityError:
        # Another request wrote the same key between our look and our insert: theirs stands.
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        _same_request(existing, request_fingerprint)
        return Posted(existing, False)
    return Posted(tx, True)


# --- Budget, awards, transfers ------------------------------------------------------------------
def points_budget(
    *, actor: User, community: Community, amount: int, idempotency_key: str | None = None, memo: str = "", request_fingerprint: str = ""
) -> Posted:
    """The district admin credits a community's pool from the district budget."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only the district administrator can budget points."))
    _check_amount(amount)
    with transaction.atomic():
        source, pool = district_account(), pool_account(community)
        lock_accounts(source, pool)
        return post_transaction(
            kind=LedgerTransaction.Kind.BUDGET,
            legs=[(source, -amount), (pool, amount)],
            idempotency_key=idempotency_key or new_key("budget"),
            actor=actor,
            memo=memo,
            memo_code="" if memo else "points_budget",
            subject=community,
            request_fingerprint=request_fingerprint,
        )


@dataclass
class AwardResult:
    requested: int
    awarded: int
    capped: bool
    transaction: LedgerTransaction | None
    created: bool

    @property
    def message(self) -> str:
        if not self.capped:
            return ""
        return _("The award was cut from %(requested)d to %(awarded)d points by the community's cap.") % {
            "requested": self.requested,
            "awarded": self.awarded,
        }


def community_rule(community: Community) -> PointsRule:
    return PointsRule.objects.get_or_create(community=community)[0]


def _awarded_since(account: PointsAccount, since=None) -> int:
    entries = LedgerEntry.objects.filter(account=account, transaction__kind=LedgerTransaction.Kind.AWARD, amount__gt=0)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def points_award(
    *,
    actor: User | None,
    community: Community,
    user: User,
    amount: int,
    idempotency_key: str,
    memo: str = "",
    memo_code: str = "",
    memo_params: dict | None = None,
    subject=None,
    request_fingerprint: str = "",
) -> AwardResult:
    """Pay points from the community's pool to a person, once per idempotency key.

    The community's daily and lifetime caps apply: an award over a cap is cut to what the cap
    leaves, and the result says so. Callers check who may award (e.g. the claim verification)."""
    _check_amount(amount)
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            _same_request(existing, request_fingerprint)
            paid = existing.entries.filter(amount__gt=0).aggregate(total=Sum("amount"))["total"] or 0
            return AwardResult(amount, paid, paid < amount, existing, False)
        pool, account = pool_account(community), person_account(user, community)
        # Locking the person's account first makes the cap check and the payment one step: two
        # awards at once cannot both find room under the cap.
        lock_accounts(pool, account)
        rule = community_rule(community)
        allowed = amount
        if rule.daily_cap is not None:
            start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            allowed = min(allowed, max(0, rule.daily_cap - _awarded_since(account, start_of_day)))
        if rule.lifetime_cap is not None:
            allowed = min(allowed, max(0, rule.lifetime_cap - _awarded_since(account)))
        if allowed == 0:
            return AwardResult(amount, 0, True, None, False)
        posted = post_transaction(
            kind=LedgerTransaction.Kind.AWARD,
            legs=[(pool, -allowed), (account, allowed)],
            idempotency_key=idempotency_key,
            actor=actor,
            memo=memo,
            memo_code=memo_code,
            memo_params=memo_params,
            subject=subject,
            request_fingerprint=request_fingerprint,
        )
        if not posted.created:  # a concurrent retry of the same award paid first; report what it paid
            paid = posted.transaction.entries.filter(amount__gt=0).aggregate(total=Sum("amount"))["total"] or 0
            return AwardResult(amount, paid, paid < amount, posted.transaction, False)
        return AwardResult(amount, allowed, allowed < amount, posted.transaction, True)


def points_award_by_staff(
    *, actor: User, community: Community, user: User, amount: int, reason: str, idempotency_key: str | None = None, request_fingerprint: str = ""
) -> AwardResult:
    """Staff reward a member for taking part (a meeting, a clean-up), with a reason on the statement."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can award its points."))
    if not Membership.objects.filter(user=user, community=community).exists():
        raise ValidationFailed(_("That person is not a member of this community."), code="not_a_member", field="user_id")
    if user.pk == actor.pk:
        raise PermissionDenied(_("Staff cannot award points to themselves."), code="self_award")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say what the points are for."), code="required", field="reason")
    return points_award(
        actor=actor, community=community, user=user, amount=amount, idempotency_key=idempotency_key or new_key("award"), memo=reason[:200],
        request_fingerprint=request_fingerprint,
    )


def points_transfer(
    *,
    actor: User,
    community: Community,
    amount: int,
    to_user: User | None = None,
    to_pool: bool = False,
    idempotency_key: str | None = None,
    request_fingerprint: str = "",
) -> Posted:
    """Give points (转赠) to another member of the same community, or back to its pool."""
    _check_amount(amount)
    if (to_user is None) == (not to_pool):
        raise ValidationFailed(_("Choose one recipient: a person or the community pool."), code="invalid_recipient")
    if to_user is not None and to_user.pk == actor.pk:
        raise ValidationFailed(_("You cannot give points to yourself."), code="invalid_recipient", field="to_user_id")
    if to_user is not None and not Membership.objects.filter(user=to_user, community=community).exists():
        raise ValidationFailed(_("The recipient is not a member of this community."), code="invalid_recipient", field="to_user_id")
    with transaction.atomic():
        source = person_account(actor, community)
        target = pool_account(community) if to_pool else person_account(to_user, community)
        lock_accounts(source, target)
        memo_code, memo_params = ("points_gift_pool", {}) if to_pool else ("points_gift", {"giver": actor.shown_name, "receiver": to_user.shown_name})
        return post_transaction(
            kind=LedgerTransaction.Kind.TRANSFER,
            legs=[(source, -amount), (target, amount)],
            idempotency_key=idempotency_key or new_key("transfer"),
            actor=actor,
            memo_code=memo_code,
            memo_params=memo_params,
            request_fingerprint=request_fingerprint,
        )


def rule_update(*, actor: User, community: Community, daily_cap: int | None, lifetime_cap: int | None, reservation_days: int) -> PointsRule:
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can change its points rules."))
    for name, value in (("daily_cap", daily_cap), ("lifetime_cap", lifetime_cap)):
        if value is not None and value < 1:
            raise ValidationFailed(_("A cap must be at least 1, or empty for no cap."), code="invalid_cap", field=name)
        if value is not None and value > MAX_POINTS_PER_MOVE:  # a 32-bit column on PostgreSQL
            raise ValidationFailed(_("A number in the request is too large."), code="invalid_cap", field=name)
    if not 1 <= reservation_days <= 365:
        raise ValidationFailed(_("Pickup time must be between 1 and 365 days."), code="invalid_reservation_days", field="reservation_days")
    with transaction.atomic():
        rule = community_rule(community)
        rule.daily_cap, rule.lifetime_cap, rule.reservation_days = daily_cap, lifetime_cap, reservation_days
        rule.save(update_fields=["daily_cap", "lifetime_cap", "reservation_days", "updated_at"])
    return rule

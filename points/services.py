"""Every movement of points, and the points supermarket.

Guarantees, for every function here:
- a transaction's legs sum to zero and are written with the cached balances in one DB transaction;
- no person or pool goes below zero (a conditional UPDATE refuses it, a CHECK constraint backs it);
- the same idempotency key is written once, so a retried award, refund or budget pays once;
- a refusal raises an ``ApplicationError`` and writes nothing.

Lock order, so that two transactions never wait on each other in a cycle (PostgreSQL): points
accounts first, in id order; then the redemption; then the reward. On SQLite every write
transaction starts with BEGIN IMMEDIATE, so writers simply queue.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, User
from accounts.selectors import is_community_staff
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from points.models import (
    LedgerEntry,
    LedgerTransaction,
    PointsAccount,
    PointsRule,
    Redemption,
    RedemptionStatusChange,
    Reward,
)

MAX_POINTS_PER_MOVE = 1_000_000_000


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


def _lock(*accounts: PointsAccount) -> None:
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
    subject=None,
    request_fingerprint: str = "",
) -> Posted:
    """Write one balanced transaction, or find the one already written under this key.

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
                kind=kind, actor=actor, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint or None, memo=memo[:200], **subject_fields
            )
            for account, amount in sorted(legs, key=lambda leg: leg[0].pk):
                # The race this stops: two spends of the same points. The check and the change are
                # one statement, so of two concurrent spends only one can find the points there.
                moved = PointsAccount.objects.filter(pk=account.pk)
                if account.kind != PointsAccount.Kind.DISTRICT:
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
        _lock(source, pool)
        return post_transaction(
            kind=LedgerTransaction.Kind.BUDGET,
            legs=[(source, -amount), (pool, amount)],
            idempotency_key=idempotency_key or new_key("budget"),
            actor=actor,
            memo=memo or _("District budget"),
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
        _lock(pool, account)
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
        _lock(source, target)
        memo = _("Gift to the community pool") if to_pool else _("Gift from %(giver)s to %(receiver)s") % {
            "giver": actor.shown_name,
            "receiver": to_user.shown_name,
        }
        return post_transaction(
            kind=LedgerTransaction.Kind.TRANSFER,
            legs=[(source, -amount), (target, amount)],
            idempotency_key=idempotency_key or new_key("transfer"),
            actor=actor,
            memo=memo,
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


# --- The points supermarket ---------------------------------------------------------------------
MAX_PICTURE_BYTES = 2 * 1024 * 1024
# Cost, stock and per-person limit: a million is past any shelf, and cost × quantity (at most 1000)
# stays within the 32-bit points column.
MAX_REWARD_NUMBER = 1_000_000


def _image_extension(upload) -> str | None:
    """What the file's first bytes say it is (not what the browser claims), or None."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _check_reward_fields(*, name: str, cost: int, stock: int, per_person_limit: int | None, active_from, active_to, picture) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the reward a name."), code="required", field="name")
    if len(name) > 80:
        raise ValidationFailed(_("A name may have at most 80 characters."), code="too_long", field="name")
    if not isinstance(cost, int) or cost < 1:
        raise ValidationFailed(_("The cost must be at least 1 point."), code="invalid_cost", field="cost")
    if not isinstance(stock, int) or stock < 0:
        raise ValidationFailed(_("Stock cannot be negative."), code="invalid_stock", field="stock")
    if per_person_limit is not None and per_person_limit < 1:
        raise ValidationFailed(_("A limit must be at least 1, or empty for no limit."), code="invalid_limit", field="per_person_limit")
    # The columns are 32-bit on PostgreSQL: a larger number was a 500 (found by the API fuzzer).
    for field, value, code in (("cost", cost, "invalid_cost"), ("stock", stock, "invalid_stock"), ("per_person_limit", per_person_limit, "invalid_limit")):
        if value is not None and value > MAX_REWARD_NUMBER:
            raise ValidationFailed(_("A number in the request is too large."), code=code, field=field)
    if active_from and active_to and active_to <= active_from:
        raise ValidationFailed(_("The end of availability must come after its start."), code="invalid_dates", field="active_to")
    if picture:
        if picture.size > MAX_PICTURE_BYTES:
            raise ValidationFailed(_("The picture may be at most 2 MB."), code="file_too_large", field="picture")
        extension = _image_extension(picture)
        if extension is None:
            raise ValidationFailed(_("The picture must be a JPEG, PNG or WebP image."), code="invalid_file_type", field="picture")
        # Stored under a name we choose, with the extension of what the bytes really are, so the
        # file is never served as anything but an image.
        picture.name = f"{uuid.uuid4().hex}.{extension}"
    return name


def reward_create(
    *,
    actor: User,
    community: Community,
    name: str,
    cost: int,
    stock: int,
    description: str = "",
    per_person_limit: int | None = None,
    active_from=None,
    active_to=None,
    picture=None,
) -> Reward:
    """Staff put an item on their community's shelf."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can manage its rewards."))
    name = _check_reward_fields(
        name=name, cost=cost, stock=stock, per_person_limit=per_person_limit, active_from=active_from, active_to=active_to, picture=picture
    )
    with transaction.atomic():
        return Reward.objects.create(
            community=community,
            name=name,
            description=(description or "").strip(),
            cost=cost,
            stock=stock,
            per_person_limit=per_person_limit,
            active_from=active_from,
            active_to=active_to,
            picture=picture or "",
            created_by=actor,
        )


def reward_update(
    *,
    actor: User,
    reward: Reward,
    name: str,
    cost: int,
    stock: int,
    description: str = "",
    per_person_limit: int | None = None,
    active_from=None,
    active_to=None,
    is_active: bool = True,
    picture=None,
) -> Reward:
    """Staff change an item (all its fields at once, as the edit form sends them). Existing
    reservations keep what they were given; a new picture replaces the old one."""
    if not is_community_staff(actor, reward.community_id):
        raise PermissionDenied(_("Only staff of this community can manage its rewards."))
    name = _check_reward_fields(
        name=name, cost=cost, stock=stock, per_person_limit=per_person_limit, active_from=active_from, active_to=active_to, picture=picture
    )
    with transaction.atomic():
        locked = Reward.objects.select_for_update().get(pk=reward.pk)
        locked.name, locked.description, locked.cost, locked.stock = name, (description or "").strip(), cost, stock
        locked.per_person_limit, locked.active_from, locked.active_to, locked.is_active = per_person_limit, active_from, active_to, is_active
        if picture:
            locked.picture = picture
        locked.save()
    return locked


def _reward_available(reward: Reward, now) -> bool:
    if not reward.is_active:
        return False
    if reward.active_from and now < reward.active_from:
        return False
    if reward.active_to and now >= reward.active_to:
        return False
    return True


PICKUP_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter


def _pickup_code() -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(6))


def _record_redemption_change(redemption: Redemption, from_status: str, to_status: str, actor: User | None) -> None:
    RedemptionStatusChange.objects.create(redemption=redemption, from_status=from_status, to_status=to_status, actor=actor)


def redemption_reserve(*, actor: User, reward: Reward, quantity: int) -> Redemption:
    """Reserve a reward: the points and the stock are taken together, and a pickup code issued.

    Refuses (writing nothing) a reward of a community the person does not belong to, one not on
    the shelf, more than the per-person limit (409 ``limit_reached``), more than the stock (409
    ``out_of_stock``) and more than the balance (409 ``insufficient_points``)."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > 1000:
        raise ValidationFailed(_("The quantity must be between 1 and 1000."), code="invalid_quantity", field="quantity")
    reward = Reward.objects.select_related("community").get(pk=reward.pk)  # the shelf as it is now
    community = reward.community
    if not Membership.objects.filter(user=actor, community=community).exists():
        raise PermissionDenied(_("This reward belongs to a community you are not a member of."), code="not_a_member")
    now = timezone.now()
    if not _reward_available(reward, now):
        raise Conflict(_("This reward is not available now."), code="reward_unavailable")
    with transaction.atomic():
        account, sink = person_account(actor, community), sink_account(community)
        # Per person, reservations queue here, so the limit check below cannot be raced past.
        _lock(account, sink)
        if reward.per_person_limit is not None:
            held = (
                Redemption.objects.filter(reward=reward, user=actor)
                .exclude(status__in=[Redemption.Status.CANCELLED, Redemption.Status.EXPIRED])
                .aggregate(total=Sum("quantity"))["total"]
                or 0
            )
            if held + quantity > reward.per_person_limit:
                raise Conflict(
                    _("You may redeem at most %(n)d of this reward.") % {"n": reward.per_person_limit}, code="limit_reached"
                )
        # The race this stops: overselling the last items. The stock test and the decrement are one
        # UPDATE; a concurrent reservation that loses finds stock < quantity and changes nothing.
        if not Reward.objects.filter(pk=reward.pk, stock__gte=quantity).update(stock=F("stock") - quantity):
            raise Conflict(_("Sorry, this reward is out of stock."), code="out_of_stock")
        cost = reward.cost * quantity
        rule = community_rule(community)
        redemption = Redemption.objects.create(
            reward=reward,
            user=actor,
            community=community,
            quantity=quantity,
            points=cost,
            code=_pickup_code(),
            expires_at=now + timedelta(days=rule.reservation_days),
        )
        post_transaction(
            kind=LedgerTransaction.Kind.REDEMPTION,
            legs=[(account, -cost), (sink, cost)],
            idempotency_key=f"redemption:{redemption.pk}:reserve",
            actor=actor,
            memo=_("Redeemed %(reward)s × %(n)d") % {"reward": reward.name, "n": quantity},
            subject=redemption,
        )
        _record_redemption_change(redemption, "", Redemption.Status.RESERVED, actor)
    return redemption


def _close_redemption(*, redemption: Redemption, to: str, actor: User | None, refund: bool) -> tuple[Redemption, bool]:
    """Move a reserved redemption on, once. A retry that finds it already there returns quietly
    (with ``False``: nothing changed)."""
    with transaction.atomic():
        if refund:
            account, sink = person_account(redemption.user, redemption.community), sink_account(redemption.community)
            _lock(account, sink)
        current = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if current.status == to:
            return current, False
        if current.status != Redemption.Status.RESERVED:
            raise Conflict(
                _("This redemption is already %(status)s.") % {"status": current.get_status_display()}, code="invalid_transition"
            )
        # Conditional update: of two closers (staff fulfils while the owner cancels), one wins.
        if not Redemption.objects.filter(pk=current.pk, status=Redemption.Status.RESERVED).update(
            status=to, closed_at=timezone.now(), closed_by=actor
        ):
            raise Conflict(_("This redemption was changed by someone else."), code="invalid_transition")
        if refund:
            Reward.objects.filter(pk=current.reward_id).update(stock=F("stock") + current.quantity)
            post_transaction(
                kind=LedgerTransaction.Kind.REFUND,
                legs=[(sink, -current.points), (account, current.points)],
                idempotency_key=f"redemption:{current.pk}:refund",
                actor=actor,
                memo=_("Returned: %(reward)s × %(n)d") % {"reward": current.reward.name, "n": current.quantity},
                subject=current,
            )
        _record_redemption_change(current, Redemption.Status.RESERVED, to, actor)
        current.refresh_from_db()
        return current, True


def redemption_fulfil(*, actor: User, redemption: Redemption, code: str) -> Redemption:
    """Staff hand the reward over after checking the pickup code the person shows."""
    if not is_community_staff(actor, redemption.community_id):
        raise PermissionDenied(_("Only staff of this community can hand out its rewards."))
    given = (code or "").strip().upper()
    if not secrets.compare_digest(given.encode(), redemption.code.encode()):
        raise ValidationFailed(_("The pickup code is wrong."), code="invalid_code", field="code")
    return _close_redemption(redemption=redemption, to=Redemption.Status.FULFILLED, actor=actor, refund=False)[0]


def redemption_cancel(*, actor: User, redemption: Redemption) -> Redemption:
    """The owner (while reserved) or staff cancel: the points and the stock come back."""
    if redemption.user_id != actor.pk and not is_community_staff(actor, redemption.community_id):
        raise PermissionDenied(_("Only the person who reserved it or community staff can cancel it."))
    return _close_redemption(redemption=redemption, to=Redemption.Status.CANCELLED, actor=actor, refund=True)[0]


def redemptions_expire(*, now=None) -> int:
    """Expire reservations not picked up in time, returning points and stock. Safe to run twice
    (and from cron while people use the site): each one is closed once."""
    now = now or timezone.now()
    expired = 0
    for redemption in Redemption.objects.filter(status=Redemption.Status.RESERVED, expires_at__lt=now).select_related("reward"):
        try:
            _result, changed = _close_redemption(redemption=redemption, to=Redemption.Status.EXPIRED, actor=None, refund=True)
        except Conflict:
            continue  # fulfilled or cancelled meanwhile
        expired += changed
    return expired



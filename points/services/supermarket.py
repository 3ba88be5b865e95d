"""The points supermarket (积分超市): rewards staff put on the shelf, and the redemptions people
reserve, pick up with a code, cancel, or let expire. Points move only through the ledger's
``post_transaction``; the lock order of ``points.services.ledger`` holds here too (points accounts,
then the redemption, then the reward).
"""

import secrets
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from points.models import LedgerTransaction, Redemption, RedemptionStatusChange, Reward
from points.services.alliances import may_spend_in, spending_legs
from points.services.ledger import InsufficientPoints, community_rule, lock_accounts, post_transaction

# What `points.services` re-exports (its star import): not this module's own imports.
__all__ = [
    "MAX_PICTURE_BYTES", "MAX_REWARD_NUMBER", "reward_create", "reward_update", "PICKUP_ALPHABET",
    "redemption_reserve", "redemption_fulfil", "redemption_cancel", "redemptions_expire",
]

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
    ``out_of_stock``) and more than the balance (409 ``insufficient_points``). The balance is the
    person's points in this community, then (通存通兑) theirs in allied communities, drawn through the
    clearing accounts in the same transaction (``points.services.alliances.spending_legs``)."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > 1000:
        raise ValidationFailed(_("The quantity must be between 1 and 1000."), code="invalid_quantity", field="quantity")
    reward = Reward.objects.select_related("community").get(pk=reward.pk)  # the shelf as it is now
    community = reward.community
    if not may_spend_in(actor, community.pk):  # a member here, or of an allied community (通存通兑)
        raise PermissionDenied(_("This reward belongs to a community you are not a member of."), code="not_a_member")
    now = timezone.now()
    if not _reward_available(reward, now):
        raise Conflict(_("This reward is not available now."), code="reward_unavailable")
    with transaction.atomic():
        # Per person, reservations queue on the locks taken here (the person's accounts, in id
        # order, with the sink and the clearing accounts), so the limit check below cannot be raced
        # past. The points come from the person's account here, then from allied communities.
        try:
            legs, short = spending_legs(user=actor, community=community, cost=reward.cost * quantity), None
        except InsufficientPoints as error:
            # Told after the limit and the stock, as before alliances: out of stock says more.
            legs, short = None, error
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
        if short is not None:
            raise short  # the stock taken above is rolled back with the transaction
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
            legs=legs,
            idempotency_key=f"redemption:{redemption.pk}:reserve",
            actor=actor,
            memo_code="points_redeemed",
            memo_params={"reward": reward.name, "n": quantity},
            subject=redemption,
        )
        _record_redemption_change(redemption, "", Redemption.Status.RESERVED, actor)
    return redemption


def _close_redemption(*, redemption: Redemption, to: str, actor: User | None, refund: bool) -> tuple[Redemption, bool]:
    """Move a reserved redemption on, once. A retry that finds it already there returns quietly
    (with ``False``: nothing changed)."""
    with transaction.atomic():
        if refund:
            # The refund is the reservation's legs reversed: points drawn from an allied community
            # go back there, through the same clearing accounts.
            paid = LedgerTransaction.objects.get(idempotency_key=f"redemption:{redemption.pk}:reserve")
            refund_legs = [(entry.account, -entry.amount) for entry in paid.entries.select_related("account").order_by("account_id")]
            lock_accounts(*[account for account, _amount in refund_legs])
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
                legs=refund_legs,
                idempotency_key=f"redemption:{current.pk}:refund",
                actor=actor,
                memo_code="points_returned",
                memo_params={"reward": current.reward.name, "n": current.quantity},
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


def redemption_cancel(*, actor: User, redemption: Redemption, reason: str = "") -> Redemption:
    """The owner (while reserved) or staff cancel: the points and the stock come back. Staff
    cancelling someone else's reservation must say why, and that person is told (with the reason,
    in their own language) once the cancellation has committed."""
    by_owner = redemption.user_id == actor.pk
    if not by_owner and not is_community_staff(actor, redemption.community_id):
        raise PermissionDenied(_("Only the person who reserved it or community staff can cancel it."))
    reason = (reason or "").strip()[:200]
    if not by_owner and not reason:
        raise ValidationFailed(_("Say why the reservation is cancelled: the person who reserved it is told."), code="required", field="reason")
    with transaction.atomic():
        done, changed = _close_redemption(redemption=redemption, to=Redemption.Status.CANCELLED, actor=actor, refund=True)
        if changed and not by_owner:
            notify(
                user=done.user, kind="redemption_cancelled", code="redemption_cancelled",
                params={"reward": done.reward.name, "n": done.quantity, "points": done.points, "reason": reason}, url=reverse("points:mine"),
            )
    return done


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



"""Donations through Stripe, the signed webhook, refunds, and spending from funds.

Guarantees:
- a donation's status only moves forward (DONATION_RANK), whatever order Stripe's events arrive
  in, and each event is applied once (StripeEvent keeps every id);
- money is counted once: the fund's figures come from donations' net amounts, never from events;
- Stripe is called outside any row lock; a Stripe failure leaves the donation failed, not pending.

Stripe itself is behind ``funds.stripe`` (the SDK is called nowhere else).
"""

import logging
import secrets as _secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import is_community_staff
from core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from core.uploads import check_attachment
from funds import stripe as provider
from funds.models import Donation, Spending, StripeEvent

logger = logging.getLogger(__name__)
D = Donation.Status
# Forward only: a state may move to a higher rank, never back (a late "failed" after "succeeded"
# changes nothing; "refunded" can follow anything, because a refund proves the payment).
DONATION_RANK = {D.PENDING: 0, D.FAILED: 1, D.CANCELLED: 2, D.SUCCEEDED: 3, D.REFUNDED: 4}


class PaymentsNotConfigured(ApplicationError):
    status = 503
    default_code = "donations_not_configured"
    default_message = _("Online donations are not set up here yet. Please ask the community service centre.")


class PaymentProviderError(ApplicationError):
    status = 502
    default_code = "payment_provider_error"
    default_message = _("The payment service did not answer. Nothing was charged; please try again later.")


def payments_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client():
    """The client the adapter's calls go through (tests put a fake one here)."""
    if not payments_configured():
        raise PaymentsNotConfigured()
    return provider.stripe_client()


def donation_create(
    *, actor: User | None, community: Community, amount: int, currency: str, project=None, anonymous: bool = False, message: str = "", donor_name: str = ""
) -> Donation:
    """Start a donation: a pending row, then a Stripe PaymentIntent (idempotency key and the
    donation's id in its metadata) whose client secret the page uses to collect the card."""
    if not payments_configured():
        raise PaymentsNotConfigured()
    if project is not None and project.community_id != community.pk:
        raise ValidationFailed(_("That project belongs to another community."), code="invalid_project", field="project_id")
    if (currency or "").lower() != settings.CURRENCY:
        raise ValidationFailed(_("Donations are in %(c)s.") % {"c": settings.CURRENCY.upper()}, code="invalid_currency", field="currency")
    if not isinstance(amount, int) or isinstance(amount, bool) or not settings.DONATION_MIN <= amount <= settings.DONATION_MAX:
        raise ValidationFailed(
            _("A donation is between %(min)s and %(max)s yuan.") % {"min": settings.DONATION_MIN / 100, "max": settings.DONATION_MAX / 100},
            code="invalid_amount",
            field="amount",
        )
    message = (message or "").strip()[:200]
    donor_name = (donor_name or (actor.shown_name if actor else "")).strip()[:60]
    donation = Donation.objects.create(
        community=community,
        project=project,
        donor=actor if actor and actor.is_authenticated else None,
        donor_name=donor_name,
        anonymous=bool(anonymous),
        message=message,
        amount=amount,
        currency=settings.CURRENCY,
    )
    try:
        intent = provider.create_payment_intent(
            stripe_client(),
            amount=amount,
            currency=settings.CURRENCY,
            metadata={"donation_id": str(donation.pk), "community_id": str(community.pk), "project_id": str(project.pk if project else "")},
            idempotency_key=f"donation-{donation.pk}",
        )
    except provider.ProviderUnavailable as exc:
        logger.warning("creating a PaymentIntent for donation %s failed: %s", donation.pk, exc)
        Donation.objects.filter(pk=donation.pk).update(status=D.FAILED)
        raise PaymentProviderError() from None
    Donation.objects.filter(pk=donation.pk).update(payment_intent_id=intent.id, client_secret=intent.client_secret)
    donation.payment_intent_id, donation.client_secret = intent.id, intent.client_secret
    return donation


def donation_pay_with_token(*, donation: Donation, client_secret: str, token: str) -> str:
    """Attach the card the page tokenised with Stripe.js (``createToken``) to the donation's
    PaymentIntent and confirm it on the server. Returns the intent's status: ``succeeded``,
    ``processing``, ``requires_action`` (the page then runs ``confirmCardPayment`` for 3-D Secure)
    or ``requires_payment_method`` (declined). The webhook, not this answer, moves the donation."""
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a 500 before).
    if not donation.client_secret or not _secrets.compare_digest((client_secret or "").encode(), donation.client_secret.encode()):
        raise PermissionDenied(_("This payment does not belong to you."), code="invalid_client_secret")
    if donation.status != D.PENDING:
        raise Conflict(_("This donation is no longer waiting for payment."), code="invalid_transition")
    token = (token or "").strip()
    if not token.startswith("tok_"):
        raise ValidationFailed(_("The card could not be read. Please check it and try again."), code="invalid_token", field="token")
    try:
        return provider.pay_with_token(stripe_client(), intent_id=donation.payment_intent_id, token=token)
    except provider.CardDeclined:
        return "requires_payment_method"  # declined: the payment_failed webhook records it
    except provider.ProviderUnavailable as exc:
        logger.warning("paying donation %s failed: %s", donation.pk, exc)
        raise PaymentProviderError() from None


def _advance(donation: Donation, to: str, **fields) -> bool:
    """Move forward only: of two events racing, or one arriving late, the higher state stands."""
    lower = [state for state, rank in DONATION_RANK.items() if rank < DONATION_RANK[to]]
    if to == D.REFUNDED:
        lower = list(DONATION_RANK)  # a further partial refund updates the refunded amount
    return bool(Donation.objects.filter(pk=donation.pk, status__in=lower).update(status=to, **fields))


def _donation_for(intent_id) -> Donation | None:
    """The donation whose own stored PaymentIntent this is. Never ``metadata.donation_id``: any
    intent on the account can carry any metadata, so trusting it let a signed success for another
    (smaller) payment mark this donation paid."""
    if not intent_id or not isinstance(intent_id, str):
        return None
    return Donation.objects.filter(payment_intent_id=intent_id).first()


def _mismatch(donation: Donation, obj: dict, *, received: bool = False) -> str:
    """What in the event's PaymentIntent or charge does not match the donation ('' when all does)."""
    currency = obj.get("currency")
    amounts = [obj.get("amount")]
    if received and "amount_received" in obj:
        amounts.append(obj.get("amount_received"))
    if not isinstance(currency, str) or currency.lower() != donation.currency.lower():
        return f"currency {currency!r}, the donation is in {donation.currency!r}"
    if any(type(a) is not int or a != donation.amount for a in amounts):
        return f"amount {amounts!r}, the donation is {donation.amount}"
    return ""


def stripe_webhook_handle(*, payload: bytes, signature: str | None) -> str:
    """Verify a webhook (400 on a bad or stale signature, nothing written), store the event once
    by its id, and apply it to the donation whose stored PaymentIntent it names, if its amount and
    currency are the donation's (otherwise it is kept, logged, and moves nothing). Returns what
    was done, for the log."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise PaymentsNotConfigured()
    try:
        data = provider.verified_event(payload=payload, signature=signature, secret=settings.STRIPE_WEBHOOK_SECRET)
    except provider.InvalidSignature:
        raise ValidationFailed(_("Invalid or stale webhook signature."), code="invalid_signature") from None
    try:
        event_id, kind, obj = str(data["id"]), str(data["type"]), dict(data["data"]["object"])
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(_("This is not a Stripe event."), code="invalid_event") from None
    moves = {"payment_intent.succeeded": D.SUCCEEDED, "payment_intent.payment_failed": D.FAILED, "payment_intent.canceled": D.CANCELLED}
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(event_id=event_id[:255], type=kind[:100], payload=data)
        except IntegrityError:
            return "duplicate"  # already applied when it first came
        if kind not in moves and kind != "charge.refunded":
            return "ignored"
        donation = _donation_for(obj.get("payment_intent") if kind == "charge.refunded" else obj.get("id"))
        if donation is None:
            logger.warning("stripe event %s (%s) names no donation's PaymentIntent; stored, nothing moved", event_id, kind)
            return "unknown donation"
        wrong = _mismatch(donation, obj, received=kind == "payment_intent.succeeded")
        if wrong:
            logger.warning("stripe event %s (%s) for donation %s does not match it: %s; stored, nothing moved", event_id, kind, donation.pk, wrong)
            return "mismatch"
        if kind == "charge.refunded":
            raw = obj.get("amount_refunded")
            refunded = min(raw if type(raw) is int and raw > 0 else 0, donation.amount)
            # Refund totals only grow: an older event with a smaller total changes nothing.
            if refunded > donation.refunded_amount:
                Donation.objects.filter(pk=donation.pk, refunded_amount__lt=refunded).update(status=D.REFUNDED, refunded_amount=refunded)
        elif moves[kind] == D.SUCCEEDED:
            _advance(donation, D.SUCCEEDED, succeeded_at=timezone.now())
        else:
            _advance(donation, moves[kind])
    return "applied"


def donation_refund(*, actor: User, donation: Donation, amount: int | None = None) -> Donation:
    """Staff ask Stripe to refund (all or part); the charge.refunded webhook confirms it."""
    if not is_community_staff(actor, donation.community_id):
        raise PermissionDenied(_("Only staff of this community can refund its donations."))
    if donation.status not in (D.SUCCEEDED, D.REFUNDED):
        raise Conflict(_("Only a received donation can be refunded."), code="invalid_transition")
    left = donation.amount - donation.refunded_amount
    amount = left if amount is None else amount
    if not isinstance(amount, int) or not 1 <= amount <= left:
        raise ValidationFailed(_("Refund between 1 fen and what is left of the donation."), code="invalid_amount", field="amount")
    try:
        provider.refund(
            stripe_client(), intent_id=donation.payment_intent_id, amount=amount,
            idempotency_key=f"refund-{donation.pk}-{donation.refunded_amount}-{amount}",
        )
    except provider.ProviderUnavailable as exc:
        logger.warning("refund of donation %s failed: %s", donation.pk, exc)
        raise PaymentProviderError() from None
    return donation


def fund_figures(*, community: Community, project=None) -> dict:
    """Raised (net of refunds), spent, balance and donors of a community fund (all its money,
    project donations included) or of one project."""
    donations = Donation.objects.filter(community=community, status__in=[D.SUCCEEDED, D.REFUNDED])
    spendings = Spending.objects.filter(community=community)
    if project is not None:
        donations, spendings = donations.filter(project=project), spendings.filter(project=project)
    totals = donations.aggregate(gross=Sum("amount"), refunded=Sum("refunded_amount"))
    raised = (totals["gross"] or 0) - (totals["refunded"] or 0)
    spent = spendings.aggregate(total=Sum("amount"))["total"] or 0
    donors = donations.filter(refunded_amount__lt=F("amount")).count()  # fully refunded gifts do not count
    return {"raised": raised, "spent": spent, "balance": raised - spent, "currency": settings.CURRENCY, "donations_count": donors}


def spending_record(
    *, actor: User, community: Community, amount: int, spent_on, purpose: str, payee: str, project=None, corrects: Spending | None = None, voucher=None
) -> Spending:
    """Staff record money spent from the fund (or a project's donations), never more than it holds.
    A correction is a new row naming the one it corrects; its amount may be negative."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can record its spending."))
    purpose, payee = (purpose or "").strip(), (payee or "").strip()
    if not purpose or not payee:
        raise ValidationFailed(_("Say what the money was for and who was paid."), code="required", field="purpose" if not purpose else "payee")
    if not isinstance(amount, int) or amount == 0 or (amount < 0 and corrects is None):
        raise ValidationFailed(_("The amount must be a positive number of fen (negative only for a correction)."), code="invalid_amount", field="amount")
    if corrects is not None and corrects.community_id != community.pk:
        raise ValidationFailed(_("The corrected row belongs to another fund."), code="invalid_correction", field="corrects_id")
    if project is not None and project.community_id != community.pk:
        raise ValidationFailed(_("That project belongs to another community."), code="invalid_project", field="project_id")
    if voucher:
        check_attachment(voucher)
    with transaction.atomic():
        # Lock the community row so two spendings cannot both pass the balance check.
        Community.objects.select_for_update().filter(pk=community.pk).first()
        if amount > 0 and amount > fund_figures(community=community, project=project)["balance"]:
            raise Conflict(_("That is more than the fund holds."), code="insufficient_funds")
        return Spending.objects.create(
            community=community, project=project, amount=amount, currency=settings.CURRENCY, spent_on=spent_on, purpose=purpose[:200],
            payee=payee[:120], corrects=corrects, voucher=voucher or "", created_by=actor,
        )


__all__ = [
    "DONATION_RANK",
    "PaymentsNotConfigured",
    "PaymentProviderError",
    "payments_configured",
    "donation_create",
    "donation_pay_with_token",
    "stripe_webhook_handle",
    "donation_refund",
    "fund_figures",
    "spending_record",
]

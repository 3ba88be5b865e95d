"""The one place that speaks to Stripe: every call of the ``stripe`` SDK lives here.

``funds.services`` asks this adapter for four things (start a payment, pay it with a tokenised
card, refund it, read a signed webhook) and gets plain values or one of three errors back, never
an SDK object or an SDK exception. Another provider would be another module with the same four
functions. Tests run it against localstripe (a fake Stripe server on loopback) and against payloads
they sign with ``stripe.WebhookSignature.generate_signature_header``; never the real Stripe.

The SDK is imported by the first payment, refund or webhook, not with this module: it costs each
server process 34 MB, which pages that never touch money should not pay
(tests/accounts/test_services.py checks a process serving every page has not loaded it).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    import stripe as stripe_sdk


class ProviderUnavailable(Exception):
    """Stripe did not answer, or refused the request: nothing was charged or refunded."""


class CardDeclined(Exception):
    """The card was refused; the ``payment_intent.payment_failed`` webhook records it."""


class InvalidSignature(Exception):
    """A webhook whose signature is missing, wrong or stale."""


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str


def sdk():
    import stripe  # noqa: PLC0415 - see the module's docstring

    return stripe


def stripe_client() -> "stripe_sdk.StripeClient":
    """A client for the configured account (the caller checks that a key is set)."""
    return sdk().StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}, max_network_retries=2)


def create_payment_intent(client, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str) -> Intent:
    try:
        intent = client.v1.payment_intents.create(
            params={"amount": amount, "currency": currency, "metadata": metadata}, options={"idempotency_key": idempotency_key}
        )
    except sdk().StripeError as exc:
        raise ProviderUnavailable(str(exc)) from None
    return Intent(id=intent.id, client_secret=intent.client_secret)


def pay_with_token(client, *, intent_id: str, token: str) -> str:
    """Attach the card Stripe.js tokenised to the intent and confirm it; returns the intent's status
    (``succeeded``, ``processing``, ``requires_action`` or ``requires_payment_method``)."""
    stripe = sdk()
    try:
        try:
            method_id = client.v1.payment_methods.create(params={"type": "card", "card": {"token": token}}).id
        except stripe.InvalidRequestError:
            # Stripe-compatible test servers (localstripe) cannot turn a token into a
            # PaymentMethod; they take the token's card instead, as older Stripe did.
            method_id = client.v1.tokens.retrieve(token).card.id
        client.v1.payment_intents.update(intent_id, params={"payment_method": method_id})
        intent = client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError:
        raise CardDeclined() from None
    except stripe.StripeError as exc:
        raise ProviderUnavailable(str(exc)) from None
    return str(intent.status)


def refund(client, *, intent_id: str, amount: int, idempotency_key: str) -> None:
    try:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": amount}, options={"idempotency_key": idempotency_key})
    except sdk().StripeError as exc:
        raise ProviderUnavailable(str(exc)) from None


def verified_event(*, payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The webhook's event as plain dicts, once its signature (and its age) is checked."""
    stripe = sdk()
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError):
        raise InvalidSignature() from None
    return event.to_dict()

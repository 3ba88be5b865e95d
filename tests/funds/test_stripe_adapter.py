"""funds/stripe.py, the one place that calls the Stripe SDK: what Stripe answers becomes a plain
value or one of the adapter's three errors, which the donation services turn into what the donor
reads. (Against localstripe and through the pages: tests/orders/test_donations.py.)"""

import json
import time
from types import SimpleNamespace

import pytest
import stripe as sdk

from funds import stripe as provider

SECRET = "whsec_adapter_test"


def _client(**v1):
    return SimpleNamespace(v1=SimpleNamespace(**v1))


def _raise(exc):
    def call(*args, **kwargs):
        raise exc

    return call


def test_a_new_payment_gives_back_the_intent_and_its_client_secret():
    seen = {}

    def create(params, options):
        seen.update(params=params, options=options)
        return SimpleNamespace(id="pi_1", client_secret="pi_1_secret_x", status="requires_payment_method")

    intent = provider.create_payment_intent(
        _client(payment_intents=SimpleNamespace(create=create)), amount=5000, currency="cny", metadata={"donation_id": "7"}, idempotency_key="donation-7"
    )
    assert intent == provider.Intent(id="pi_1", client_secret="pi_1_secret_x")
    assert seen["params"]["amount"] == 5000 and seen["options"] == {"idempotency_key": "donation-7"}


def test_stripe_out_of_reach_is_the_adapters_own_error_not_the_sdks():
    client = _client(payment_intents=SimpleNamespace(create=_raise(sdk.APIConnectionError("no route"))), refunds=SimpleNamespace(create=_raise(sdk.APIConnectionError("no route"))))
    with pytest.raises(provider.ProviderUnavailable):
        provider.create_payment_intent(client, amount=100, currency="cny", metadata={}, idempotency_key="k")
    with pytest.raises(provider.ProviderUnavailable):
        provider.refund(client, intent_id="pi_1", amount=100, idempotency_key="r")


def test_a_declined_card_is_told_apart_from_an_outage():
    card = SimpleNamespace(id="card_1")
    intents = SimpleNamespace(update=lambda *a, **k: None, confirm=_raise(sdk.CardError("declined", param="card", code="card_declined")))
    client = _client(
        payment_methods=SimpleNamespace(create=_raise(sdk.InvalidRequestError("tokens are not methods here", param="card"))),
        tokens=SimpleNamespace(retrieve=lambda token: SimpleNamespace(card=card)),  # localstripe's way
        payment_intents=intents,
    )
    with pytest.raises(provider.CardDeclined):
        provider.pay_with_token(client, intent_id="pi_1", token="tok_chargeDeclined")
    intents.confirm = lambda intent_id: SimpleNamespace(status="succeeded")
    assert provider.pay_with_token(client, intent_id="pi_1", token="tok_visa") == "succeeded"


def _signed(payload: str, *, secret=SECRET, age=0):
    return sdk.WebhookSignature.generate_signature_header(payload, secret, timestamp=int(time.time()) - age)


def test_a_signed_event_is_read_as_plain_data_and_a_forged_or_stale_one_is_refused():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "amount": 5000}}})
    event = provider.verified_event(payload=payload.encode(), signature=_signed(payload), secret=SECRET)
    assert type(event) is dict and event["data"]["object"]["amount"] == 5000
    for signature in (_signed(payload, secret="whsec_someone_else"), _signed(payload, age=3600), "", None):
        with pytest.raises(provider.InvalidSignature):
            provider.verified_event(payload=payload.encode(), signature=signature, secret=SECRET)

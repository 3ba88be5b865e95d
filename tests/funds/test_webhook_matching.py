"""A Stripe event moves only the donation whose own PaymentIntent it names, for its amount and
currency (#19.14, docs/security.md)."""


import pytest

pytestmark = pytest.mark.django_db


# --- #14 The Stripe webhook matches the donation's own PaymentIntent, amount and currency --------------
def _signed_webhook(client, kind: str, obj: dict, event_id: str):
    import json
    import time

    import stripe

    from tests.funds.test_donations import WEBHOOK_SECRET

    payload = json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}})
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()))
    return client.post("/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


@pytest.fixture
def yen_donation(db, community, settings):
    from funds.models import Donation
    from tests.funds.test_donations import WEBHOOK_SECRET

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return Donation.objects.create(community=community, amount=50_000, currency="cny", payment_intent_id="pi_own_intent", donor_name="王先生")


@pytest.mark.parametrize(
    "obj, why",
    [
        ({"id": "pi_someone_elses", "amount": 50_000, "currency": "cny"}, "another intent naming it in its metadata"),
        ({"id": "pi_own_intent", "amount": 100, "currency": "usd"}, "1 USD"),
        ({"id": "pi_own_intent", "amount": 100, "currency": "cny"}, "1 yuan"),
        ({"id": "pi_own_intent", "amount": 50_000, "currency": "usd"}, "the right number in another currency"),
        ({"id": "pi_own_intent", "currency": "cny"}, "no amount"),
    ],
)
def test_a_signed_success_that_does_not_match_the_donation_moves_nothing(client, yen_donation, obj, why, caplog):
    from funds.models import StripeEvent
    from funds.services import fund_figures

    obj = {"object": "payment_intent", "metadata": {"donation_id": str(yen_donation.pk)}, **obj}
    with caplog.at_level("WARNING", logger="funds.services"):
        response = _signed_webhook(client, "payment_intent.succeeded", obj, "evt_forged")
    assert response.status_code == 200, why
    yen_donation.refresh_from_db()
    assert yen_donation.status == "pending", why
    assert fund_figures(community=yen_donation.community)["raised"] == 0
    assert StripeEvent.objects.filter(event_id="evt_forged").exists()  # recorded
    assert "evt_forged" in caplog.text  # and logged


def test_a_refund_in_another_currency_moves_nothing(client, yen_donation):
    ok = {"id": "pi_own_intent", "object": "payment_intent", "amount": 50_000, "currency": "cny"}
    assert _signed_webhook(client, "payment_intent.succeeded", ok, "evt_ok").json() == {"status": "applied"}
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_own_intent", "amount": 50_000, "currency": "usd", "amount_refunded": 50_000}
    assert _signed_webhook(client, "charge.refunded", charge, "evt_refund_usd").json() == {"status": "mismatch"}
    yen_donation.refresh_from_db()
    assert (yen_donation.status, yen_donation.refunded_amount) == ("succeeded", 0)


def test_the_matching_success_counts(client, yen_donation):
    ok = {"id": "pi_own_intent", "object": "payment_intent", "amount": 50_000, "amount_received": 50_000, "currency": "cny"}
    assert _signed_webhook(client, "payment_intent.succeeded", ok, "evt_ok").json() == {"status": "applied"}
    yen_donation.refresh_from_db()
    assert yen_donation.status == "succeeded"



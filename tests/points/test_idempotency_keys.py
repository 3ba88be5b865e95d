"""An `Idempotency-Key` answers only the request it came with: the same key with another body is
409 `idempotency_key_reused` and nothing is written (#19.8, docs/security.md)."""


import pytest

from tests.conftest import error_of

pytestmark = pytest.mark.django_db


# --- #8 An Idempotency-Key reused with a different body is refused ------------------------------------
def test_a_transfer_replayed_with_another_amount_is_409(api, community, volunteer, resident, give):
    from points.models import LedgerTransaction

    give(volunteer, 100)
    me = api(volunteer)
    body = {"community_id": community.pk, "to_user_id": resident.pk, "amount": 10}
    first = me.post("points/transfers", body, HTTP_IDEMPOTENCY_KEY="gift-1")
    assert first.status_code == 201
    again = me.post("points/transfers", body, HTTP_IDEMPOTENCY_KEY="gift-1")  # a true retry
    assert again.status_code == 201 and again.json()["transaction_id"] == first.json()["transaction_id"]
    before = LedgerTransaction.objects.count()
    assert error_of(me.post("points/transfers", {**body, "amount": 40}, HTTP_IDEMPOTENCY_KEY="gift-1")) == (409, "idempotency_key_reused")
    assert LedgerTransaction.objects.count() == before
    assert api(resident).get("points/balance").json()["balance"] == 10


def test_an_award_replayed_for_another_person_is_409(api, community, staff, volunteer, resident, funded):
    client = api(staff)
    url = f"communities/{community.pk}/points/awards"
    body = {"user_id": volunteer.pk, "amount": 20, "reason": "参加议事会"}
    assert client.post(url, body, HTTP_IDEMPOTENCY_KEY="meeting-7").status_code == 201
    replay = client.post(url, {**body, "user_id": resident.pk}, HTTP_IDEMPOTENCY_KEY="meeting-7")
    assert error_of(replay) == (409, "idempotency_key_reused")
    assert api(resident).get("points/balance").json()["balance"] == 0


def test_a_budget_replayed_with_another_amount_is_409(api, community, superuser):
    from points import services

    client = api(superuser)
    url = f"communities/{community.pk}/points/budget"
    assert client.post(url, {"amount": 5000}, HTTP_IDEMPOTENCY_KEY="2026-q4").status_code == 201
    assert client.post(url, {"amount": 5000}, HTTP_IDEMPOTENCY_KEY="2026-q4").status_code == 201
    assert error_of(client.post(url, {"amount": 9000}, HTTP_IDEMPOTENCY_KEY="2026-q4")) == (409, "idempotency_key_reused")
    assert services.pool_account(community).balance == 5000



"""The points part of the API contract."""

import pytest

from points import services
from points.models import LedgerTransaction, Redemption, Reward
from points.selectors import person_balance
from tests.conftest import error_of

pytestmark = pytest.mark.django_db


def test_the_superuser_budgets_a_community_pool(api, community, superuser):
    response = api(superuser).post(f"communities/{community.pk}/points/budget", {"amount": 5000})
    assert response.status_code == 201
    assert response.json()["balance"] == 5000


def test_a_budget_retried_with_the_same_idempotency_key_is_paid_once(api, community, superuser):
    client = api(superuser)
    for _ in range(3):
        client.post(f"communities/{community.pk}/points/budget", {"amount": 5000}, HTTP_IDEMPOTENCY_KEY="2026-q4")
    assert services.pool_account(community).balance == 5000


def test_staff_cannot_budget_and_nothing_is_written(api, community, staff):
    assert error_of(api(staff).post(f"communities/{community.pk}/points/budget", {"amount": 5000})) == (403, "permission_denied")
    assert not LedgerTransaction.objects.exists()


@pytest.mark.parametrize("amount", [0, -1])
def test_a_budget_of_no_points_is_400(api, community, superuser, amount):
    assert error_of(api(superuser).post(f"communities/{community.pk}/points/budget", {"amount": amount})) == (400, "invalid_amount")


def test_balance_and_entries_show_my_points_newest_first(api, give, volunteer, funded):
    give(volunteer, 30)
    give(volunteer, 20)
    client = api(volunteer)
    assert client.get("points/balance").json() == {
        "balance": 50,
        "communities": [{"community_id": funded.pk, "community": funded.name, "balance": 50}],
    }
    entries = client.get("points/entries").json()
    assert entries["count"] == 2
    assert [(e["amount"], e["balance_after"]) for e in entries["items"]] == [(20, 50), (30, 30)]
    assert entries["items"][0]["created_at"].endswith("+08:00")  # local time, with its offset


def test_me_shows_the_points_balance(api, give, volunteer):
    give(volunteer, 42)
    assert api(volunteer).get("me").json()["points_balance"] == 42


def test_staff_award_with_a_reason_and_the_cap_is_reported(api, funded, staff, resident):
    api(staff).client.put(
        f"/api/v1/communities/{funded.pk}/points/rules",
        '{"daily_cap": 30, "lifetime_cap": null, "reservation_days": 7}',
        content_type="application/json",
        **api(staff).headers,
    )
    response = api(staff, language="en").post(f"communities/{funded.pk}/points/awards", {"user_id": resident.pk, "amount": 50, "reason": "议事会"})
    assert response.status_code == 201
    body = response.json()
    assert (body["requested"], body["awarded"], body["capped"]) == (50, 30, True)
    assert "cap" in body["detail"]


def test_a_resident_cannot_award_points(api, funded, resident, volunteer):
    response = api(resident).post(f"communities/{funded.pk}/points/awards", {"user_id": volunteer.pk, "amount": 5, "reason": "x"})
    assert error_of(response) == (403, "permission_denied")
    assert person_balance(volunteer) == 0


def test_rules_are_public_and_changed_only_by_staff(api, community, resident):
    assert api().get(f"communities/{community.pk}/points/rules").json()["reservation_days"] == 7
    response = api(resident).client.put(
        f"/api/v1/communities/{community.pk}/points/rules", '{"daily_cap": 5}', content_type="application/json", **api(resident).headers
    )
    assert error_of(response) == (403, "permission_denied")


def test_transfers_through_the_api(api, give, funded, volunteer, resident):
    give(volunteer, 100)
    response = api(volunteer).post("points/transfers", {"community_id": funded.pk, "to_user_id": resident.pk, "amount": 40})
    assert response.status_code == 201 and response.json()["balance"] == 60
    assert person_balance(resident) == 40
    assert error_of(api(volunteer).post("points/transfers", {"community_id": funded.pk, "to_user_id": volunteer.pk, "amount": 1})) == (
        400,
        "invalid_recipient",
    )
    assert error_of(api(volunteer).post("points/transfers", {"community_id": funded.pk, "to_user_id": resident.pk, "amount": 61})) == (
        409,
        "insufficient_points",
    )


def test_rewards_are_listed_for_anyone_by_community(api, reward, community, other_community, other_staff):
    services.reward_create(actor=other_staff, community=other_community, name="毛巾", cost=10, stock=5)
    body = api().get("rewards", {"community": community.pk}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {k: item[k] for k in ("id", "name", "cost", "stock", "community_id")} == {
        "id": reward.pk,
        "name": "大米 5kg",
        "cost": 100,
        "stock": 3,
        "community_id": community.pk,
    }


def test_staff_create_rewards_in_their_community_only(api, community, other_community, staff):
    created = api(staff).post("rewards", {"community_id": community.pk, "name": "酱油", "cost": 30, "stock": 10, "per_person_limit": 1})
    assert created.status_code == 201 and created.json()["per_person_limit"] == 1
    refused = api(staff).post("rewards", {"community_id": other_community.pk, "name": "酱油", "cost": 30, "stock": 10})
    assert error_of(refused) == (403, "permission_denied")
    assert Reward.objects.count() == 1


def test_times_before_time_zones_still_come_back_as_iso_8601(api, community, staff):
    # Found by the API fuzzer: until 1901 Shanghai kept local mean time, +08:05:43, which is no
    # ISO 8601 offset; such a time is given in UTC instead.
    body = {"community_id": community.pk, "name": "酱油", "cost": 30, "stock": 10,
            "active_from": "1900-12-24T12:49:41Z", "active_to": "2030-01-01T00:00:00Z"}
    created = api(staff).post("rewards", body)
    assert created.status_code == 201
    assert (created.json()["active_from"], created.json()["active_to"]) == ("1900-12-24T12:49:41+00:00", "2030-01-01T08:00:00+08:00")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "2027-01-01T09:00:00-19:43"])
def test_a_time_the_database_cannot_keep_is_422_and_the_list_still_shows(api, community, staff, when):
    # Found by the API fuzzer on PostgreSQL: the first was stored as 1 BC and then the reward list
    # failed for everyone; the second (an offset no place has) was a 500 at once.
    response = api(staff).post("rewards", {"community_id": community.pk, "name": "酱油", "cost": 30, "stock": 10, "active_from": when})
    assert error_of(response) == (422, "validation_error")
    assert not Reward.objects.exists()
    assert api().get("rewards").status_code == 200
    assert error_of(api().get("tasks", {"starts_after": when})) == (422, "validation_error")


@pytest.mark.parametrize("field", ["cost", "stock", "per_person_limit"])
def test_a_reward_number_too_large_for_the_database_is_400(api, community, staff, field):
    # Found by the API fuzzer on PostgreSQL, whose columns are 32-bit: it was a 500.
    body = {"community_id": community.pk, "name": "酱油", "cost": 30, "stock": 10, field: 8_948_549_432}
    response = api(staff).post("rewards", body)
    assert response.status_code == 400 and response.json()["field"] == field
    assert not Reward.objects.exists()


def test_a_points_cap_too_large_for_the_database_is_400(api, community, staff):
    me = api(staff)
    response = me._call("put", f"communities/{community.pk}/points/rules", {"daily_cap": 8_948_549_432})
    assert error_of(response) == (400, "invalid_cap")


def test_a_redemption_from_reservation_to_pickup(api, give, volunteer, staff, reward):
    give(volunteer, 250)
    reserved = api(volunteer).post("redemptions", {"reward_id": reward.pk, "quantity": 2})
    assert reserved.status_code == 201
    body = reserved.json()
    assert body["status"] == "reserved" and len(body["code"]) == 6
    # Staff see the reservation but not its code: the person shows it at the counter.
    staff_view = api(staff).get(f"redemptions/{body['id']}").json()
    assert staff_view["code"] is None
    assert error_of(api(staff).post(f"redemptions/{body['id']}/fulfil", {"code": "ZZZZZZ"})) == (400, "invalid_code")
    done = api(staff).post(f"redemptions/{body['id']}/fulfil", {"code": body["code"]})
    assert done.status_code == 200 and done.json()["status"] == "fulfilled"
    assert error_of(api(volunteer).post(f"redemptions/{body['id']}/cancel")) == (409, "invalid_transition")
    assert person_balance(volunteer) == 50


@pytest.mark.parametrize(
    "balance, stock, quantity, code",
    [(50, 3, 1, "insufficient_points"), (1000, 1, 2, "out_of_stock"), (1000, 3, 3, "limit_reached")],
)
def test_redemption_refusals_are_409_with_the_contract_codes(api, give, volunteer, reward, balance, stock, quantity, code):
    Reward.objects.filter(pk=reward.pk).update(stock=stock)  # the reward allows 2 per person
    give(volunteer, balance)
    assert error_of(api(volunteer).post("redemptions", {"reward_id": reward.pk, "quantity": quantity})) == (409, code)
    assert not Redemption.objects.exists()
    assert person_balance(volunteer) == balance


def test_cancelling_gives_back_points_and_stock(api, give, volunteer, reward):
    give(volunteer, 100)
    rid = api(volunteer).post("redemptions", {"reward_id": reward.pk, "quantity": 1}).json()["id"]
    response = api(volunteer).post(f"redemptions/{rid}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    reward.refresh_from_db()
    assert reward.stock == 3 and person_balance(volunteer) == 100


def test_other_peoples_redemptions_are_404(api, give, volunteer, resident, reward, other_staff):
    give(volunteer, 100)
    rid = api(volunteer).post("redemptions", {"reward_id": reward.pk, "quantity": 1}).json()["id"]
    for stranger in (resident, other_staff):
        assert api(stranger).get(f"redemptions/{rid}").status_code == 404
        assert api(stranger).post(f"redemptions/{rid}/cancel").status_code == 404
    assert api(resident).get("redemptions").json()["count"] == 0


def test_staff_list_their_communitys_redemptions(api, give, volunteer, staff, reward):
    give(volunteer, 100)
    api(volunteer).post("redemptions", {"reward_id": reward.pk, "quantity": 1})
    body = api(staff).get("redemptions", {"status": "reserved"}).json()
    assert body["count"] == 1 and body["items"][0]["code"] is None


def test_the_summary_is_for_staff(api, funded, staff, resident):
    assert api(staff).get(f"communities/{funded.pk}/points/summary").json()["pool"] == 10_000
    assert error_of(api(resident).get(f"communities/{funded.pk}/points/summary")) == (403, "permission_denied")


def test_points_endpoints_need_a_login(api):
    for path in ["points/balance", "points/entries", "redemptions"]:
        assert error_of(api().get(path)) == (401, "not_authenticated")

"""Checking in: the codes cannot be guessed (five wrong codes lock the claim, #19.1), and an early
check-in keeps the task open for claims until its start (#19.19), docs/security.md."""

from datetime import timedelta

import pytest

from tests.conftest import ON_REDIS, browser, error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


# --- #1 Check-in codes cannot be guessed ---------------------------------------------------------------
@pytest.mark.parametrize("action", ["check-in", "check-out"])
def test_five_wrong_codes_lock_the_claim_even_for_the_right_code(api, task, staff, volunteer, action):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.models import Claim

    me = api(volunteer)
    claim_id = me.post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at + timedelta(minutes=5), tick=False):
        if action == "check-out":
            right = task_checkin_code(actor=staff, task=task)[0]
            assert me.post(f"claims/{claim_id}/check-in", {"code": right}).status_code == 200
        for _ in range(5):
            assert error_of(me.post(f"claims/{claim_id}/{action}", {"code": "000000"})) == (400, "invalid_code")
        right = task_checkin_code(actor=staff, task=task)[0]
        locked = me.post(f"claims/{claim_id}/{action}", {"code": right})
        assert error_of(locked) == (429, "too_many_attempts")
        assert "错误次数过多" in locked.json()["detail"]
    claim = Claim.objects.get(pk=claim_id)
    assert (claim.checked_out_at if action == "check-out" else claim.checked_in_at) is None
    if ON_REDIS:
        return  # Redis expires keys by its own clock, which time_machine does not move
    # Ten minutes later the right code works again.
    with time_machine.travel(task.starts_at + timedelta(minutes=16), tick=False):
        right = task_checkin_code(actor=staff, task=task)[0]
        assert me.post(f"claims/{claim_id}/{action}", {"code": right}).status_code == 200


def test_wrong_codes_are_counted_per_claim(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    task = make_task(slots=3)
    other = MembershipFactory(community=task.community, role="volunteer").user
    mine = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    theirs = api(other).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at, tick=False):
        for _ in range(6):
            api(volunteer).post(f"claims/{mine}/check-in", {"code": "123456"})
        right = task_checkin_code(actor=staff, task=task)[0]
        assert api(other).post(f"claims/{theirs}/check-in", {"code": right}).json()["status"] == "checked_in"


def test_the_task_page_form_is_throttled_by_the_same_service_and_says_so(api, task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.models import Claim

    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    page = browser(volunteer)
    with time_machine.travel(task.starts_at, tick=False):
        for _ in range(5):
            page.post(f"/claims/{claim_id}/check-in/", {"code": "999999"})
        right = task_checkin_code(actor=staff, task=task)[0]
        response = page.post(f"/claims/{claim_id}/check-in/", {"code": right}, follow=True)
    assert "错误次数过多" in response.content.decode()
    assert Claim.objects.get(pk=claim_id).checked_in_at is None


def test_check_in_declares_its_429(client):
    schema = client.get("/api/v1/openapi.json").json()
    for action in ("check-in", "check-out"):
        assert "429" in schema["paths"][f"/api/v1/claims/{{claim_id}}/{action}"]["post"]["responses"]


# --- #19 An early check-in does not close claiming -----------------------------------------------------
def test_an_early_check_in_keeps_the_task_open_for_claims_until_its_start(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.services import claims_mark_no_shows

    task = make_task(slots=3)
    latecomer = MembershipFactory(community=task.community, role="volunteer").user
    first = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=20), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        assert api(volunteer).post(f"claims/{first}/check-in", {"code": code}).json()["status"] == "checked_in"
        shown = api().get(f"tasks/{task.pk}").json()
        assert (shown["status"], shown["slots_taken"]) == ("open", 1)
        assert task.pk in [t["id"] for t in api().get("tasks", {"has_slots": "true"}).json()["items"]]
        assert api(latecomer).post(f"tasks/{task.pk}/claims").status_code == 201  # the board said a slot is free
    with time_machine.travel(task.starts_at + timedelta(minutes=5), tick=False):
        # Started: no longer offered as a free slot, claims refused, and the sweep says it is under way.
        assert task.pk not in [t["id"] for t in api().get("tasks", {"has_slots": "true"}).json()["items"]]
        third = MembershipFactory(community=task.community, role="volunteer").user
        assert error_of(api(third).post(f"tasks/{task.pk}/claims")) == (409, "task_not_open")
        claims_mark_no_shows()
    task.refresh_from_db()
    assert (task.status, task.slots_taken) == ("in_progress", 2)


def test_a_check_in_after_the_start_puts_the_task_in_progress(api, task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at + timedelta(minutes=1), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        api(volunteer).post(f"claims/{claim_id}/check-in", {"code": code})
    task.refresh_from_db()
    assert task.status == "in_progress"


def test_a_full_task_whose_early_arrival_is_rejected_before_the_start_reopens(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    task = make_task(slots=1)
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=10), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        api(volunteer).post(f"claims/{claim_id}/check-in", {"code": code})
        assert api().get(f"tasks/{task.pk}").json()["status"] == "full"
        assert api(staff).post(f"claims/{claim_id}/reject", {"reason": "不是本人"}).status_code == 200
        shown = api().get(f"tasks/{task.pk}").json()
        assert (shown["status"], shown["slots_taken"]) == ("open", 0)
        other = MembershipFactory(community=task.community, role="volunteer").user
        assert api(other).post(f"tasks/{task.pk}/claims").status_code == 201



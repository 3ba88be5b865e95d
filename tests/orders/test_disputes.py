"""#28: the person served answers once the service has started, "done" or "not_done"; "not_done"
sends the claim to staff as disputed (409 disputed on verify until they settle it with a reason);
the hours field of the page takes every value the API takes (0.10 h); the verification queue says
how long a claim has waited and flags hours far from those measured; "waiting for the person served
to confirm" is said only once it is true."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import Membership, Notification
from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim
from tests.conftest import browser, error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_attempt_counts():
    cache.clear()


@pytest.fixture
def elder(community):
    return MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__display_name="张桂兰").user


def at(task, minutes):
    return time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False)


def checked_out(task, volunteer, staff, *, minutes=6):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -5):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with at(task, minutes):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    return claim


def test_the_person_served_cannot_confirm_before_the_start_and_can_say_not_done(api, make_task, funded, staff, volunteer, elder, django_capture_on_commit_callbacks):
    task = make_task(beneficiary=elder)
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -20):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        assert error_of(api(elder).post(f"claims/{claim.pk}/confirm", {"answer": "done"})) == (409, "too_early")
        page = browser(elder).get(f"/claims/{claim.pk}/confirm/").content.decode()
        assert "data-too-early" in page and "是的，服务已完成" not in page
    with at(task, 10):
        page = browser(elder).get(f"/claims/{claim.pk}/confirm/").content.decode()
        assert "是的，服务已完成" in page and "没有，服务没有完成" in page  # both answers
        assert error_of(api(elder).post(f"claims/{claim.pk}/confirm", {"answer": "maybe"}))[0] == 422
        with django_capture_on_commit_callbacks(execute=True):
            answer = api(elder).post(f"claims/{claim.pk}/confirm", {"answer": "not_done", "comment": "没人来过"}).json()
    assert (answer["confirmation_answer"], answer["disputed"], answer["awaiting_confirmation"]) == ("not_done", True, False)
    assert Notification.objects.get(user=volunteer, kind="claim_disputed")
    with at(task, 20):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        services.claim_submit(actor=volunteer, claim=claim, hours="1.50")
    # Staff see it in the queue as disputed, with her words; approving needs a reason.
    queue = browser(staff).get("/claims/queue/").content.decode()
    assert 'data-flag="disputed"' in queue and "没人来过" in queue and f'id="settle-{claim.pk}"' in queue
    assert error_of(api(staff).post(f"claims/{claim.pk}/verify")) == (409, "disputed")
    bulk = api(staff).post("claims/verify", {"claim_ids": [claim.pk]}).json()
    assert bulk["skipped"] == [{"id": claim.pk, "code": "disputed"}]
    assert browser(staff).post(f"/claims/{claim.pk}/verify/", {"hours": "1.50"}).status_code in (200, 302)
    assert Claim.objects.get(pk=claim.pk).status == "submitted"
    browser(staff).post(f"/claims/{claim.pk}/verify/", {"hours": "1.50", "settle_reason": "电话核实：老人记错了日子"})
    claim.refresh_from_db()
    assert (claim.status, claim.dispute_reason) == ("verified", "电话核实：老人记错了日子")
    assert claim.history.filter(note="dispute settled: 电话核实：老人记错了日子", actor=staff).exists()
    # The person served (and the volunteer) see both the answer and how staff settled it.
    assert "表示服务没有完成" in browser(elder).get(f"/claims/{claim.pk}/confirm/").content.decode()
    assert "电话核实：老人记错了日子" in browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()


def test_a_dispute_settled_by_rejecting(api, make_task, funded, staff, volunteer, elder):
    task = make_task(beneficiary=elder)
    claim = checked_out(task, volunteer, staff)
    with at(task, 30):
        services.claim_submit(actor=volunteer, claim=claim)
        browser(elder).post(f"/claims/{claim.pk}/confirm/", {"answer": "not_done", "comment": "没来"})
    assert Claim.objects.get(pk=claim.pk).is_disputed
    assert api(staff).post(f"claims/{claim.pk}/reject", {"reason": "核实：未上门"}).json()["status"] == "rejected"
    claim.refresh_from_db()
    assert (claim.is_disputed, claim.dispute_reason) == (False, "核实：未上门")


def test_the_volunteer_cannot_say_not_done_with_the_card_code(api, make_task, funded, staff, volunteer, elder):
    from accounts.assistance.services import service_card_get

    task = make_task(beneficiary=elder)
    claim = checked_out(task, volunteer, staff)
    with at(task, 30):
        body = {"answer": "not_done", "beneficiary_code": service_card_get(actor=elder).shown_code}
        assert error_of(api(volunteer).post(f"claims/{claim.pk}/confirm", body)) == (400, "invalid_answer")


def test_the_hours_field_takes_what_the_api_takes(api, make_task, funded, staff, volunteer):
    task = make_task()
    claim = checked_out(task, volunteer, staff, minutes=6)
    page = browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
    field = re.search(r'<input id="hours"[^>]*>', page).group(0)
    assert 'step="0.01"' in field and 'min="0"' in field and 'max="2.00"' in field and 'value="0.10"' in field
    with at(task, 10):
        assert error_of(browser(volunteer).post(f"/claims/{claim.pk}/submit/", {"hours": "0.105"}) and api(volunteer).post(f"claims/{claim.pk}/submit", {"hours": "0.105"}))[0] in (400, 422)
        assert Claim.objects.get(pk=claim.pk).status == "checked_in"
        browser(volunteer).post(f"/claims/{claim.pk}/submit/", {"hours": "0.10"})
    claim.refresh_from_db()
    assert (claim.status, str(claim.submitted_hours)) == ("submitted", "0.10")


def test_the_queue_says_how_long_a_claim_waited_and_flags_hours_far_from_measured(make_task, funded, staff, volunteer):
    task = make_task()
    claim = checked_out(task, volunteer, staff, minutes=6)
    with at(task, 10):
        services.claim_submit(actor=volunteer, claim=claim, hours="1.50")
    with at(task, 10 + 3 * 60):
        page = browser(staff).get("/claims/queue/").content.decode()
    row = page[page.index(f'id="claim-{claim.pk}"'):]
    assert re.search(r'<td class="waited"><time [^>]*>3(\xa0|&nbsp;| )?小时</time>', row), row[:1500]
    assert 'data-flag="hours"' in row
    near = checked_out(make_task(title="楼道清扫", starts_at=task.starts_at + timedelta(days=1)), volunteer, staff, minutes=100)
    with at(near.task, 105):
        services.claim_submit(actor=volunteer, claim=near, hours="2.00")
    page = browser(staff).get("/claims/queue/").content.decode()
    assert page.count('data-flag="hours"') == 1  # 2.00 claimed against 1.67 measured is not flagged


def test_waiting_for_the_person_served_is_said_only_once_they_were_asked(make_task, funded, staff, volunteer, elder):
    task = make_task(beneficiary=elder)
    claim = services.claim_create(actor=volunteer, task=task)
    assert "等待服务对象确认服务" not in browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
    with at(task, -5):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with at(task, 60):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        assert "等待服务对象确认服务" not in browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
        services.claim_submit(actor=volunteer, claim=claim)
        assert "等待服务对象确认服务" in browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()

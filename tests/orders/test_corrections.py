"""Corrections of a verified claim's hours (issue #20): the volunteer asks with a reason, staff of
the task's community approve or refuse with a reply; an approval changes the recorded hours, the
claim's history keeps both steps, and the volunteer is told."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Notification
from marketplace.services import task_checkin_code
from orders import services
from orders.models import ClaimCorrection
from points.models import LedgerEntry
from records.selectors import volunteer_record_totals
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db


def at(task, minutes: int):
    return time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False)


def verified(task, volunteer, staff, *, hours="1.50"):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -10):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with at(task, 90):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        services.claim_submit(actor=volunteer, claim=claim, hours=hours)
        services.claim_verify(actor=staff, claim=claim)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def claim(funded, task, staff, volunteer):
    return verified(task, volunteer, staff)


def test_a_correction_from_request_to_the_changed_record(api, claim, staff, volunteer, django_capture_on_commit_callbacks):
    assert volunteer_record_totals(volunteer)["hours"] == Decimal("1.50")
    lines_before = LedgerEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        asked = api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "2.00", "reason": "服务结束后又帮老人收拾了半小时"})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    assert Notification.objects.filter(user=staff, kind="correction_requested").exists()
    with django_capture_on_commit_callbacks(execute=True):
        decided = api(staff).post(f"corrections/{asked.json()['id']}/decide", {"approve": True, "reply": "属实"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    claim.refresh_from_db()
    assert claim.hours == Decimal("2.00")
    assert volunteer_record_totals(volunteer)["hours"] == Decimal("2.00")
    assert api(volunteer).get(f"claims/{claim.pk}").json()["hours"] == "2.00"
    # Both steps are in the claim's history, with who did them.
    notes = list(claim.history.filter(from_status="verified", to_status="verified").values_list("actor_id", "note"))
    assert notes[0][0] == volunteer.pk and "1.50 → 2.00" in notes[0][1]
    assert notes[1][0] == staff.pk and "1.50 → 2.00" in notes[1][1] and "属实" in notes[1][1]
    told = Notification.objects.get(user=volunteer, kind="correction_decided")
    assert "2.00" in told.message and "属实" in told.message
    # Points are paid per task, not per hour: no ledger line is written, none is edited.
    assert LedgerEntry.objects.count() == lines_before
    call_command("points_audit")


def test_a_refusal_keeps_the_hours_and_tells_why(api, claim, staff, volunteer, django_capture_on_commit_callbacks):
    asked = api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "2", "reason": "多干了半小时"}).json()
    assert error_of(api(staff).post(f"corrections/{asked['id']}/decide", {"approve": False})) == (400, "required")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(staff).post(f"corrections/{asked['id']}/decide", {"approve": False, "reply": "签退记录显示 1.5 小时"})
    assert answer.status_code == 200 and answer.json()["status"] == "refused"
    claim.refresh_from_db()
    assert claim.hours == Decimal("1.50")
    assert "签退记录显示" in Notification.objects.get(user=volunteer, kind="correction_decided").message
    # Decided once: the other decision is refused, the same one again is a retry.
    assert error_of(api(staff).post(f"corrections/{asked['id']}/decide", {"approve": True})) == (409, "correction_decided")
    assert api(staff).post(f"corrections/{asked['id']}/decide", {"approve": False, "reply": "同上"}).status_code == 200
    # After a decision a new correction may be asked for.
    assert api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "1.75", "reason": "补充说明"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"hours": "0", "reason": "x"}, (400, "invalid_hours")),
        ({"hours": "-1", "reason": "x"}, (400, "invalid_hours")),
        ({"hours": "4.01", "reason": "x"}, (400, "invalid_hours")),  # 2 h task + 2 h margin
        ({"reason": "x"}, (400, "invalid_hours")),
        ({"hours": "1.50", "reason": "x"}, (400, "invalid_hours")),  # the hours already recorded
        ({"hours": "2"}, (400, "required")),
        ({"hours": "2", "reason": "   "}, (400, "required")),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(api, claim, volunteer, body, expected):
    assert error_of(api(volunteer).post(f"claims/{claim.pk}/corrections", body)) == expected
    assert not ClaimCorrection.objects.exists()


def test_a_second_pending_correction_is_refused(api, claim, volunteer):
    assert api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "2", "reason": "多干了半小时"}).status_code == 201
    assert error_of(api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "3", "reason": "再改"})) == (409, "correction_pending")
    assert ClaimCorrection.objects.count() == 1


def test_an_unverified_claim_cannot_be_corrected(api, task, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    assert error_of(api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "1", "reason": "x"})) == (409, "claim_not_verified")
    assert not ClaimCorrection.objects.exists()


def test_only_the_claimant_asks_and_only_staff_of_the_community_decide(api, claim, staff, other_staff, volunteer):
    assert error_of(api(staff).post(f"claims/{claim.pk}/corrections", {"hours": "2", "reason": "x"}))[0] == 403
    assert error_of(api(other_staff).post(f"claims/{claim.pk}/corrections", {"hours": "2", "reason": "x"})) == (404, "claim_not_found")
    asked = api(volunteer).post(f"claims/{claim.pk}/corrections", {"hours": "2", "reason": "x"}).json()
    assert error_of(api(volunteer).post(f"corrections/{asked['id']}/decide", {"approve": True}))[0] == 403
    assert error_of(api(other_staff).post(f"corrections/{asked['id']}/decide", {"approve": True})) == (404, "correction_not_found")
    assert ClaimCorrection.objects.get().status == "pending"


def test_the_pages_ask_list_and_decide(claim, staff, volunteer):
    page = browser(volunteer).get(f"/tasks/{claim.task_id}/")
    assert "申请更正时长" in page.content.decode()
    asked = browser(volunteer).post(f"/claims/{claim.pk}/correction/", {"hours": "2.25", "reason": "帮忙收拾"}, follow=True)
    assert "已发送给社区工作人员" in asked.content.decode()
    assert "申请更正时长" not in browser(volunteer).get(f"/tasks/{claim.task_id}/").content.decode()  # one pending at a time
    listing = browser(staff).get("/claims/corrections/").content.decode()
    assert "帮忙收拾" in listing and "1.50 → 2.25" in listing
    k = ClaimCorrection.objects.get()
    done = browser(staff).post(f"/claims/corrections/{k.pk}/decide/", {"approve": "1", "reply": "好的"}, follow=True)
    assert "已批准更正" in done.content.decode()
    claim.refresh_from_db()
    assert claim.hours == Decimal("2.25")
    assert "2.25" in browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert "没有待处理的更正" in browser(staff).get("/claims/corrections/").content.decode()


def test_my_claims_rows_follow_the_claim_and_their_form_carries_this_pages_token(claim, staff, volunteer):
    """The rows of "my claims" are drawn once and kept (orders/templatetags/claim_rows.py): a kept
    row must show the correction as it is now, and its form must carry the browser's own CSRF token
    (a kept placeholder or another browser's token would refuse the volunteer's correction)."""
    from django.test import Client

    tab = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", enforce_csrf_checks=True)
    tab.force_login(volunteer)
    for _ in range(2):  # drawn, then kept
        page = tab.get("/claims/").content.decode()
        assert "申请更正时长" in page and "\x00" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    asked = tab.post(f"/claims/{claim.pk}/correction/", {"hours": "2.25", "reason": "帮忙收拾", "next": "/claims/", "csrfmiddlewaretoken": token})
    assert asked.status_code == 302, "the kept row's form was refused"
    page = tab.get("/claims/").content.decode()
    assert "1.50 → 2.25" in page and "申请更正时长" not in page  # pending: no second form
    browser(staff).post(f"/claims/corrections/{ClaimCorrection.objects.get().pk}/decide/", {"approve": "1", "reply": "好的"})
    page = tab.get("/claims/").content.decode()
    assert "好的" in page and "2.25 小时" in page

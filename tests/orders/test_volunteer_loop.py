"""The volunteer loop keeps people's work (issues #16 and #17): the note a volunteer writes, the
hours they claim, a check-out that would record nothing, bulk verification, and the beneficiary's
rating after a verified service."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db


def at(task, minutes: int):
    return time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False)


def checked_out(task, volunteer, staff, *, in_at=-10, out_at=90):
    """Claim, check in at start + in_at minutes and check out at start + out_at minutes."""
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, in_at):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with at(task, out_at):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    claim.refresh_from_db()
    return claim


def submitted(task, volunteer, staff, *, hours=None, note="陪王奶奶聊天，帮她读报", out_at=90):
    claim = checked_out(task, volunteer, staff, out_at=out_at)
    with at(task, out_at + 5):
        services.claim_submit(actor=volunteer, claim=claim, hours=hours, note=note)
    claim.refresh_from_db()
    return claim


# --- 1. The note reaches staff ----------------------------------------------------------------------
def test_the_submitted_note_is_kept_on_the_claim(task, staff, volunteer):
    claim = submitted(task, volunteer, staff, note="陪王奶奶聊天，帮她读报")
    assert claim.note == "陪王奶奶聊天，帮她读报"
    assert claim.history.get(to_status="submitted").note == "陪王奶奶聊天，帮她读报"


def test_the_submit_endpoint_answers_with_the_note_and_staff_read_it(api, task, staff, volunteer):
    claim = checked_out(task, volunteer, staff)
    with at(task, 95):
        answer = api(volunteer).post(f"claims/{claim.pk}/submit", {"note": "老人腿脚不便，下次需两人"})
    assert answer.status_code == 200 and answer.json()["note"] == "老人腿脚不便，下次需两人"
    assert api(staff).get(f"claims/{claim.pk}").json()["note"] == "老人腿脚不便，下次需两人"


def test_staff_see_the_note_where_they_verify(task, staff, volunteer):
    claim = checked_out(task, volunteer, staff)
    with at(task, 95):
        browser(volunteer).post(f"/claims/{claim.pk}/submit/", {"hours": "1.5", "note": "老人腿脚不便，下次需两人"})
    assert "老人腿脚不便，下次需两人" in browser(staff).get("/claims/queue/").content.decode()
    assert "老人腿脚不便，下次需两人" in browser(staff).get(f"/tasks/{task.pk}/").content.decode()

"""The task board and task pages, as a volunteer on a phone and staff at the service centre use them."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.assistance.services import service_card_get
from marketplace.models import Task
from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim, Review
from points.selectors import person_balance
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_the_board_lists_upcoming_tasks_in_chinese(task):
    page = browser().get("/tasks/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "陪伴独居老人" in text and "任务" in text and "养老" in text


def test_the_board_filters_by_category_and_text(make_task):
    make_task(title="修水龙头", category="repair")
    make_task(title="陪老人下棋", category="elder_care", starts_at=None)
    text = browser().get("/tasks/", {"category": "repair"}).content.decode()
    assert "修水龙头" in text and "陪老人下棋" not in text
    text = browser().get("/tasks/", {"q": "下棋"}).content.decode()
    assert "陪老人下棋" in text and "修水龙头" not in text


def test_the_board_query_count_does_not_grow_with_the_tasks(make_task):
    make_task()
    with CaptureQueriesContext(connection) as few:
        browser().get("/tasks/")
    for i in range(15):
        make_task(title=f"任务{i}", skills=[f"技能{i}"])
    with CaptureQueriesContext(connection) as many:
        browser().get("/tasks/")
    assert len(few) == len(many)


def test_a_volunteer_takes_a_task_from_its_page(task, volunteer):
    client = browser(volunteer)
    assert "接" in client.get(f"/tasks/{task.pk}/").content.decode()
    response = client.post(f"/tasks/{task.pk}/claim/")
    assert response.status_code == 302
    assert Claim.objects.get().user == volunteer


def test_a_full_task_page_explains_the_refusal(make_task, volunteer, community):
    from tests.factories import MembershipFactory

    task = make_task(slots=1)
    services.claim_create(actor=MembershipFactory(community=community, role="volunteer").user, task=task)
    response = browser(volunteer, language="en").post(f"/tasks/{task.pk}/claim/", follow=True)
    assert "all slots of this task are taken" in response.content.decode()
    assert Claim.objects.count() == 1


def test_an_outsider_gets_403_when_forging_a_claim(task, outsider):
    assert browser(outsider).post(f"/tasks/{task.pk}/claim/").status_code == 403
    assert not Claim.objects.exists()


def test_the_whole_journey_in_pages(make_task, funded, staff, volunteer, resident):
    task = make_task(beneficiary=resident)
    me, boss = browser(volunteer), browser(staff)
    me.post(f"/tasks/{task.pk}/claim/")
    claim = Claim.objects.get()
    with time_machine.travel(task.starts_at, tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        assert code in boss.get(f"/tasks/{task.pk}/").content.decode()  # shown to staff on site
        assert code not in me.get(f"/tasks/{task.pk}/").content.decode()  # never to the claimant
        me.post(f"/claims/{claim.pk}/check-in/", {"code": code})
    with time_machine.travel(task.ends_at, tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        me.post(f"/claims/{claim.pk}/check-out/", {"code": code})
        card = service_card_get(actor=resident).shown_code  # the resident shows her service card
        me.post(f"/claims/{claim.pk}/submit/", {"hours": "2", "note": "完成", "beneficiary_code": card})
    assert "陪伴独居老人" in boss.get("/claims/queue/").content.decode()
    boss.post(f"/claims/{claim.pk}/verify/", {"hours": "1.5"})
    claim.refresh_from_db()
    assert claim.status == "verified" and person_balance(volunteer) == 10
    browser(resident).post(f"/claims/{claim.pk}/review/", {"stars": "5", "comment": "谢谢小李"})
    assert Review.objects.get().stars == 5
    record = me.get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert "1.50" in record


def test_a_wrong_code_is_explained_on_the_page(task, staff, volunteer):
    browser(volunteer).post(f"/tasks/{task.pk}/claim/")
    claim = Claim.objects.get()
    with time_machine.travel(task.starts_at, tick=False):
        response = browser(volunteer, language="en").post(f"/claims/{claim.pk}/check-in/", {"code": "999999x"}, follow=True)
    assert "code is wrong" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "claimed"


def test_staff_post_a_task_from_the_page(community, staff):
    response = browser(staff).post(
        f"/tasks/new/{community.pk}/",
        {"title": "社区义诊", "category": "elder_care", "starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T11:00",
         "location": "社区卫生服务站", "slots": 3, "points": 10, "skills": "医护，陪护"},
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert sorted(task.skills.values_list("name", flat=True)) == ["医护", "陪护"]


def test_the_task_form_shows_rule_errors_next_to_the_field(community, staff):
    response = browser(staff, language="en").post(
        f"/tasks/new/{community.pk}/",
        {"title": "x", "category": "other", "starts_at": "2030-05-01T11:00", "ends_at": "2030-05-01T09:00", "location": "x", "slots": 1, "points": 0},
    )
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not Task.objects.exists()


def test_volunteers_cannot_open_the_task_form(community, volunteer):
    assert browser(volunteer).get(f"/tasks/new/{community.pk}/").status_code == 403


def test_staff_cancel_from_the_page(task, staff, other_staff):
    assert browser(other_staff).post(f"/tasks/{task.pk}/cancel/", {"reason": "x"}).status_code == 403
    browser(staff).post(f"/tasks/{task.pk}/cancel/", {"reason": "暴雨"})
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_the_volunteer_record_downloads_as_csv_for_excel(make_task, funded, staff, volunteer):
    task = make_task()
    claim = services.claim_create(actor=volunteer, task=task)
    Claim.objects.filter(pk=claim.pk).update(status="verified", credited_hours="1.50", hours="1.50", points_awarded=10)
    response = browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert "陪伴独居老人" in body and "1.50" in body


def test_someone_elses_record_is_404(volunteer, resident):
    assert browser(resident).get(f"/volunteers/{volunteer.pk}/record/").status_code == 404


def test_notifications_page_lists_and_marks_read(task, staff, volunteer, django_capture_on_commit_callbacks):
    services.claim_create(actor=volunteer, task=task)
    with django_capture_on_commit_callbacks(execute=True):
        browser(staff).post(f"/tasks/{task.pk}/cancel/", {"reason": "暴雨"})
    client = browser(volunteer)
    assert "陪伴独居老人" in client.get("/notifications/").content.decode()
    client.post("/notifications/")
    assert volunteer.notifications.filter(read_at__isnull=True).count() == 0


def test_a_draft_is_404_for_volunteers(make_task, volunteer):
    draft = make_task(draft=True)
    assert browser(volunteer).get(f"/tasks/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/tasks/", "/claims/", "/claims/queue/", "/notifications/"])
def test_pages_render_for_a_logged_in_volunteer(volunteer, path):
    assert browser(volunteer).get(path).status_code == 200


def test_a_past_check_in_window_is_refused_on_the_page(task, staff, volunteer):
    browser(volunteer).post(f"/tasks/{task.pk}/claim/")
    claim = Claim.objects.get()
    with time_machine.travel(task.ends_at + timedelta(minutes=5), tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        response = browser(volunteer, language="en").post(f"/claims/{claim.pk}/check-in/", {"code": code}, follow=True)
    assert "Check-in opens 30 minutes before" in response.content.decode()

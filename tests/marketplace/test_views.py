"""Needs and consultations in pages: a resident on a phone, staff at the service centre."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from marketplace import services
from marketplace.models import Consultation, Need, Task, Vote
from tests.conftest import browser
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_resident_posts_a_need_from_the_page(community, resident):
    response = browser(resident).post(
        f"/needs/new/{community.pk}/", {"title": "想学用智能手机", "description": "", "category": "education", "urgency": 2}
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/needs/{need.pk}/"
    assert "想学用智能手机" in browser(resident).get("/needs/").content.decode()


def test_a_volunteer_who_is_not_a_resident_is_told_to_join(community, volunteer):
    response = browser(volunteer).post(f"/needs/new/{community.pk}/", {"title": "x", "category": "other", "urgency": 2})
    assert response.status_code == 403
    assert not Need.objects.exists()


def test_staff_triage_and_turn_a_need_into_a_task_from_pages(community, staff, resident):
    need = services.need_submit(actor=resident, community=community, title="楼道灯坏了", category="repair")
    client = browser(staff)
    assert "楼道灯坏了" in client.get("/needs/").content.decode()  # the triage queue
    client.post(f"/needs/{need.pk}/triage/", {"track": "minor", "reply": "安排志愿者维修", "department": ""})
    need.refresh_from_db()
    assert need.status == "triaged"
    form = client.get(f"/needs/{need.pk}/task/").content.decode()
    assert "楼道灯坏了" in form  # pre-filled from the need
    client.post(
        f"/needs/{need.pk}/task/",
        {"title": "修楼道灯", "category": "repair", "starts_at": "2030-02-01T09:00", "ends_at": "2030-02-01T10:00", "location": "3 栋", "slots": 1, "points": 10},
    )
    task = Task.objects.get()
    need.refresh_from_db()
    assert task.need == need and need.status == "in_progress"
    assert "修楼道灯" in browser(resident).get(f"/needs/{need.pk}/").content.decode()


def test_triage_with_an_unknown_track_from_a_forged_form_changes_nothing(community, staff, resident):
    need = services.need_submit(actor=resident, community=community, title="x")
    response = browser(staff, language="en").post(f"/needs/{need.pk}/triage/", {"track": "cosmic", "reply": "x"}, follow=True)
    assert response.status_code == 200 and "Unknown track" in response.content.decode()
    need.refresh_from_db()
    assert need.status == "submitted"


def test_other_residents_cannot_see_an_unresolved_need(community, resident):
    need = services.need_submit(actor=resident, community=community, title="家庭纠纷")
    neighbour = MembershipFactory(community=community, role="resident").user
    assert browser(neighbour).get(f"/needs/{need.pk}/").status_code == 404
    assert browser().get(f"/needs/{need.pk}/").status_code == 404


def test_the_feedback_board_shows_the_figures_in_chinese(community, staff, resident):
    need = services.need_submit(actor=resident, community=community, title="路灯不亮")
    services.need_triage(actor=staff, need=need, track="major", reply="已转交区城管局", department="区城市管理局")
    services.need_resolve(actor=staff, need=need, reply="路灯已修复")
    html = browser().get(f"/communities/{community.pk}/feedback/").content.decode()
    assert "路灯已修复" in html and "反馈" in html
    assert browser().get("/feedback/").status_code == 200


def test_a_consultation_from_opening_to_a_recorded_decision_in_pages(community, staff, resident):
    client = browser(staff)
    closes = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/consultations/community/{community.pk}/new/", {"title": "高空抛物怎么管", "options": "装摄像头\n加强宣传", "closes_at": closes})
    consultation = Consultation.objects.get()
    option = consultation.options.first()
    me = browser(resident)
    me.post(f"/consultations/{consultation.pk}/vote/", {"option": option.pk})
    me.post(f"/consultations/{consultation.pk}/comment/", {"body": "支持装摄像头"})
    assert Vote.objects.get().option == option
    page = me.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "支持装摄像头" in page and ">1<" not in page  # no counts before closing
    with time_machine.travel(consultation.closes_at + timedelta(minutes=5)):
        client.post(f"/consultations/{consultation.pk}/decide/", {"decision": "在楼顶安装摄像头"})
        page = me.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "在楼顶安装摄像头" in page and "<td>1</td>" in page


def test_residents_of_another_community_cannot_vote_from_the_page(community, staff, other_community):
    consultation = services.consultation_open(
        actor=staff, community=community, title="t", options=["a", "b"], closes_at=timezone.now() + timedelta(days=1)
    )
    outsider = MembershipFactory(community=other_community, role="resident").user
    response = browser(outsider).post(f"/consultations/{consultation.pk}/vote/", {"option": consultation.options.first().pk})
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_a_need_from_a_phone_to_a_resolved_reply_through_pages(community, staff, resident, volunteer, funded):
    from marketplace.services import task_checkin_code
    from orders.models import Claim

    me, boss, helper = browser(resident), browser(staff), browser(volunteer)
    me.post(f"/needs/new/{community.pk}/", {"title": "楼道灯坏了", "description": "3 栋 2 单元", "category": "repair", "urgency": 3})
    need = Need.objects.get()
    boss.post(f"/needs/{need.pk}/triage/", {"track": "minor", "reply": "安排志愿者维修"})
    day = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d")  # soon: sessions stay valid
    boss.post(
        f"/needs/{need.pk}/task/",
        {"title": "修楼道灯", "category": "repair", "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00", "location": "3 栋", "slots": 1, "points": 10},
    )
    task = Task.objects.get()
    helper.post(f"/tasks/{task.pk}/claim/")
    claim = Claim.objects.get()
    with time_machine.travel(task.starts_at, tick=False):
        helper.post(f"/claims/{claim.pk}/check-in/", {"code": task_checkin_code(actor=staff, task=task)[0]})
    with time_machine.travel(task.ends_at, tick=False):
        helper.post(f"/claims/{claim.pk}/check-out/", {"code": task_checkin_code(actor=staff, task=task)[0]})
        helper.post(f"/claims/{claim.pk}/submit/", {"note": "换了灯泡"})
        boss.post(f"/claims/{claim.pk}/verify/", {"honour_hours": "0"})
        boss.post(f"/tasks/{task.pk}/complete/")
        boss.post(f"/needs/{need.pk}/resolve/", {"reply": "灯已修好，感谢志愿者"})
    task.refresh_from_db()
    claim.refresh_from_db()
    assert (claim.status, task.status) == ("verified", "done")
    need.refresh_from_db()
    assert need.status == "resolved"
    page = me.get(f"/needs/{need.pk}/").content.decode()
    assert "灯已修好，感谢志愿者" in page and "已解决" in page

"""Community groups' activities on the pages: a member proposes on the group's page (phone and
desktop are the same form), staff approve or refuse on the rooms page, the proposer reads why."""

import pytest

from marketplace.models import Task
from resources import services
from resources.models import GroupActivity
from tests.conftest import browser
from tests.resources.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(choir, leader, staff):
    services.group_file(actor=staff, organization=choir, leader=leader, note="街道备案")
    return choir


def _form(**extra):
    return {"title": "亲子绘本会", "category": "education", "day": at(4, 0).date().isoformat(), "starts": "10:00", "ends": "11:30",
            "location": "原聚场·绘本角", "slots": "2", "description": "", **extra}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_member_proposes_on_the_group_page_and_staff_approve_on_theirs(filed, leader, staff, community, resident, language):
    page = browser(leader, language).get(f"/resources/groups/{filed.pk}/").content.decode()
    assert f"/resources/groups/{filed.pk}/activities/" in page
    response = browser(leader, language).post(f"/resources/groups/{filed.pk}/activities/", _form())
    assert response.status_code == 302 and GroupActivity.objects.get().status == "pending"
    mine = browser(leader, language).get(f"/resources/groups/{filed.pk}/").content.decode()
    assert "亲子绘本会" in mine and ("Awaiting staff" in mine if language == "en" else "待工作人员审核" in mine)
    # Not on the public page while it waits.
    assert "亲子绘本会" not in browser(resident, language).get(f"/resources/groups/{filed.pk}/").content.decode()
    manage = browser(staff, language).get(f"/resources/manage/{community.pk}/").content.decode()
    activity = GroupActivity.objects.get()
    assert "亲子绘本会" in manage and f"/resources/activities/{activity.pk}/approve/" in manage
    browser(staff, language).post(f"/resources/activities/{activity.pk}/approve/")
    assert Task.objects.get().status == "open"
    public = browser(resident, language).get(f"/resources/groups/{filed.pk}/").content.decode()
    assert "亲子绘本会" in public and f"/tasks/{activity.task_id}/" in public


def test_staff_refuse_with_a_reason_the_member_reads_on_the_group_page(filed, leader, staff, community):
    browser(leader).post(f"/resources/groups/{filed.pk}/activities/", _form())
    activity = GroupActivity.objects.get()
    empty = browser(staff, "en").post(f"/resources/activities/{activity.pk}/reject/", {"reason": ""}, follow=True).content.decode()
    assert "This field is required." in empty and GroupActivity.objects.get().status == "pending"
    browser(staff).post(f"/resources/activities/{activity.pk}/reject/", {"reason": "那天原聚场维修"})
    page = browser(leader).get(f"/resources/groups/{filed.pk}/").content.decode()
    assert "那天原聚场维修" in page and Task.objects.get().status == "cancelled"


def test_a_bad_proposal_keeps_the_form_with_the_reason_and_writes_nothing(filed, leader, resident):
    bad = browser(leader, "en").post(f"/resources/groups/{filed.pk}/activities/", _form(title="", starts="soon"))
    assert bad.status_code == 400 and "This field is required." in bad.content.decode() and "原聚场·绘本角" in bad.content.decode()
    past = browser(leader, "en").post(f"/resources/groups/{filed.pk}/activities/", _form(day=at(-3, 0).date().isoformat()))
    assert past.status_code == 400 and "already ended" in past.content.decode()
    outsider = browser(resident, "en").post(f"/resources/groups/{filed.pk}/activities/", _form())
    assert outsider.status_code == 403
    assert not GroupActivity.objects.exists() and not Task.objects.exists()

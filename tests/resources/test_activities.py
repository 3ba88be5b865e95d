"""Community groups' activities: a member of a filed group proposes a task for it, held as a draft
until staff of the community approve it (published on the board) or refuse it with a reason; the
proposer is told either way. Bad input and wrong people are refused with nothing written."""

import pytest

from marketplace.models import Task
from resources import services
from resources.models import GroupActivity
from tests.conftest import error_of
from tests.factories import OrganizationFactory, OrganizationMemberFactory
from tests.resources.conftest import at, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(choir, leader, staff):
    services.group_file(actor=staff, organization=choir, leader=leader, note="街道备案")
    return choir


def _body(**extra):
    return {"title": "合唱快闪", "category": "culture", "starts_at": iso(at(6, 15)), "ends_at": iso(at(6, 17)), "location": "原聚场广场",
            "slots": 4, **extra}


def test_a_member_proposes_staff_approve_and_the_task_is_on_the_board(api, filed, leader, staff, resident):
    proposed = api(leader).post(f"organizations/{filed.pk}/activities", _body())
    assert proposed.status_code == 201 and proposed.json()["status"] == "pending" and proposed.json()["group"] == "东原社区合唱团"
    task = Task.objects.get()
    assert task.status == "draft" and task.published_at is None
    # Held: residents do not see it on the board; staff have it in their list to decide.
    assert error_of(api(resident).get(f"tasks/{task.pk}"))[0] == 404
    pending = api(staff).get("activities", {"status": "pending"}).json()
    assert pending["count"] == 1 and pending["items"][0]["title"] == "合唱快闪"
    approved = api(staff).post(f"activities/{proposed.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    task.refresh_from_db()
    assert task.status == "open" and task.published_at is not None
    assert api(resident).get(f"tasks/{task.pk}").status_code == 200
    note = leader.notifications.get(code="group_activity_approved")
    assert note.url == f"/tasks/{task.pk}/" and note.params["group"] == "东原社区合唱团"
    # A second approval changes nothing; a refusal after it is refused.
    assert api(staff).post(f"activities/{proposed.json()['id']}/approve").json()["status"] == "approved"
    assert error_of(api(staff).post(f"activities/{proposed.json()['id']}/reject", {"reason": "晚了"})) == (409, "invalid_transition")


def test_staff_refuse_with_a_reason_the_proposer_reads(api, filed, leader, staff):
    activity = api(leader).post(f"organizations/{filed.pk}/activities", _body()).json()
    assert error_of(api(staff).post(f"activities/{activity['id']}/reject", {"reason": " "})) == (400, "required")
    refused = api(staff).post(f"activities/{activity['id']}/reject", {"reason": "广场那天有集市"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused" and refused.json()["reason"] == "广场那天有集市"
    assert Task.objects.get().status == "cancelled" and Task.objects.get().published_at is None
    note = leader.notifications.get(code="group_activity_refused")
    assert note.params["reason"] == "广场那天有集市" and note.url == f"/resources/groups/{filed.pk}/"
    assert error_of(api(staff).post(f"activities/{activity['id']}/approve")) == (409, "invalid_transition")


def test_bad_input_and_the_wrong_people_are_refused_and_nothing_is_written(api, community, choir, filed, leader, resident, staff, other_staff):
    post = api(leader).post
    assert error_of(post(f"organizations/{filed.pk}/activities", _body(title="  "))) == (400, "required")
    assert error_of(post(f"organizations/{filed.pk}/activities", _body(category="karaoke")))[0] == 400
    assert error_of(post(f"organizations/{filed.pk}/activities", _body(ends_at=iso(at(6, 14)))))[0] == 400
    assert error_of(post(f"organizations/{filed.pk}/activities", _body(starts_at=iso(at(-2, 9)), ends_at=iso(at(-2, 10))))) == (
        400, "invalid_time")
    assert error_of(post(f"organizations/{filed.pk}/activities", _body(starts_at="tomorrow")))[0] == 422
    assert error_of(api(resident).post(f"organizations/{filed.pk}/activities", _body())) == (403, "not_org_member")
    assert error_of(post("organizations/999999/activities", _body())) == (404, "organization_not_found")
    unfiled = OrganizationFactory(community=community, name="摄影社", kind="community_group", status="verified")
    OrganizationMemberFactory(organization=unfiled, user=leader)
    assert error_of(post(f"organizations/{unfiled.pk}/activities", _body())) == (409, "group_not_filed")
    agency = OrganizationFactory(community=community, name="社工机构", status="verified")
    OrganizationMemberFactory(organization=agency, user=leader)
    assert error_of(post(f"organizations/{agency.pk}/activities", _body())) == (400, "not_a_community_group")
    assert not Task.objects.exists() and not GroupActivity.objects.exists()
    activity = post(f"organizations/{filed.pk}/activities", _body()).json()
    # Deciding is for staff of the group's community: others do not even see it.
    assert error_of(api(other_staff).post(f"activities/{activity['id']}/approve")) == (404, "activity_not_found")
    assert error_of(api(resident).post(f"activities/{activity['id']}/approve")) == (404, "activity_not_found")
    assert error_of(api(leader).post(f"activities/{activity['id']}/approve")) == (403, "not_staff")
    assert error_of(api(staff).post("activities/999999/approve")) == (404, "activity_not_found")
    assert error_of(api(staff).get("activities", {"status": "maybe"})) == (400, "invalid_filter")
    assert Task.objects.get().status == "draft" and GroupActivity.objects.get().status == "pending"
    assert api(other_staff).get("activities").json()["count"] == 0
    assert api(leader).get("activities").json()["count"] == 1

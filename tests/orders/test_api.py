"""Tasks, claims and reviews through the API, as the contract says."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Task
from orders.models import Claim, Review
from points.selectors import person_balance
from tests.conftest import error_of

pytestmark = pytest.mark.django_db


def task_body(community, **overrides):
    body = {
        "community_id": community.pk,
        "title": "助残出行陪同",
        "description": "陪同轮椅老人去医院复查",
        "category": "disability",
        "starts_at": "2030-03-01T09:00:00+08:00",
        "ends_at": "2030-03-01T11:00:00+08:00",
        "location": "锣旗寺社区服务站",
        "slots": 2,
        "points": 15,
        "skills": ["陪护"],
    }
    body.update(overrides)
    return body


def test_staff_name_the_resident_a_task_serves_and_an_unknown_one_is_refused_on_its_field(api, staff, community, resident):
    response = api(staff).post("tasks", task_body(community, beneficiary_id=resident.pk))
    assert response.status_code == 201
    assert Task.objects.get(pk=response.json()["id"]).beneficiary == resident
    refused = api(staff).post("tasks", task_body(community, beneficiary_id=resident.pk + 999))
    assert error_of(refused) == (404, "user_not_found")
    assert refused.json()["field"] == "user_id"
    assert Task.objects.count() == 1


def test_staff_post_a_task_and_anyone_sees_it(api, staff, community):
    response = api(staff).post("tasks", task_body(community))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["slots"], body["slots_taken"], body["points"], body["skills"]) == ("open", 2, 0, 15, ["陪护"])
    assert body["starts_at"] == "2030-03-01T09:00:00+08:00"
    assert api().get(f"tasks/{body['id']}").json()["title"] == "助残出行陪同"


def test_a_volunteer_cannot_post_tasks(api, volunteer, community):
    assert error_of(api(volunteer).post("tasks", task_body(community))) == (403, "permission_denied")
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "overrides, status, code",
    [
        ({"category": "magic"}, 400, "invalid_category"),
        ({"slots": 0}, 400, "invalid_slots"),
        ({"ends_at": "2030-03-01T08:00:00+08:00"}, 400, "invalid_time"),
        ({"starts_at": "2030-03-01T09:00:00", "ends_at": "2030-03-01T11:00:00"}, 400, "invalid_time"),
        ({"starts_at": "not a date"}, 422, "validation_error"),
        ({"slots": "two"}, 422, "validation_error"),
    ],
)
def test_bad_task_input_is_a_clear_error(api, staff, community, overrides, status, code):
    assert error_of(api(staff).post("tasks", task_body(community, **overrides))) == (status, code)
    assert not Task.objects.exists()


def test_the_task_list_filters(api, staff, community, other_community, other_staff):
    client = api(staff)
    client.post("tasks", task_body(community, title="陪老人下棋", category="elder_care"))
    client.post("tasks", task_body(community, title="修水龙头", category="repair", starts_at="2030-04-01T09:00:00+08:00", ends_at="2030-04-01T10:00:00+08:00", skills=["维修"]))
    api(other_staff).post("tasks", task_body(other_community, title="东原读书会", category="culture"))
    names = lambda params: [t["title"] for t in api().get("tasks", params).json()["items"]]  # noqa: E731
    assert names({"community": community.pk}) == ["陪老人下棋", "修水龙头"]
    assert names({"category": "repair"}) == ["修水龙头"]
    assert names({"q": "下棋"}) == ["陪老人下棋"]
    assert names({"q": "轮椅老人", "community": community.pk}) == ["陪老人下棋", "修水龙头"]  # descriptions too
    assert names({"skill": "维修"}) == ["修水龙头"]
    assert names({"starts_after": "2030-03-15T00:00:00+08:00"}) == ["修水龙头"]
    assert names({"starts_before": "2030-03-15T00:00:00+08:00", "community": other_community.pk}) == ["东原读书会"]
    assert names({"has_slots": "true", "status": "open"}) == ["陪老人下棋", "东原读书会", "修水龙头"]


def test_a_bad_filter_value_is_400_or_422_not_500(api):
    assert api().get("tasks", {"category": "nonsense"}).status_code == 400
    assert api().get("tasks", {"starts_after": "yesterday"}).status_code == 422


def test_drafts_are_hidden_from_everyone_but_staff(api, staff, community, volunteer):
    draft_id = api(staff).post("tasks", task_body(community, draft=True)).json()["id"]
    assert api().get(f"tasks/{draft_id}").status_code == 404
    assert api(volunteer).get("tasks").json()["count"] == 0
    assert api(staff).get("tasks").json()["count"] == 1


def test_the_task_list_query_count_does_not_grow_with_the_page_size(api, staff, community, make_task):
    for i in range(30):
        make_task(title=f"任务{i}", skills=["陪护", f"技能{i}"])
    client = api()
    counts = []
    for size in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("tasks", {"page_size": size})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 3  # count, page, skills


def test_claiming_through_the_api(api, task, volunteer):
    response = api(volunteer).post(f"tasks/{task.pk}/claims")
    assert response.status_code == 201
    assert (response.json()["task_id"], response.json()["status"]) == (task.pk, "claimed")
    assert error_of(api(volunteer).post(f"tasks/{task.pk}/claims")) == (409, "already_claimed")


def test_a_full_task_answers_task_full(api, make_task, volunteer, community):
    from tests.factories import MembershipFactory

    task = make_task(slots=1)
    api(MembershipFactory(community=community, role="volunteer").user).post(f"tasks/{task.pk}/claims")
    assert error_of(api(volunteer).post(f"tasks/{task.pk}/claims")) == (409, "task_full")


def test_a_cancelled_task_answers_task_not_open(api, task, staff, volunteer):
    assert api(staff).post(f"tasks/{task.pk}/cancel").json()["status"] == "cancelled"
    assert error_of(api(volunteer).post(f"tasks/{task.pk}/claims")) == (409, "task_not_open")


def test_withdrawing_frees_the_slot(api, task, volunteer):
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    assert api(volunteer).post(f"claims/{claim_id}/withdraw").json()["status"] == "withdrawn"
    assert api().get(f"tasks/{task.pk}").json()["slots_taken"] == 0


def test_the_checkin_code_is_for_staff_and_never_in_claim_responses(api, task, staff, volunteer):
    code = api(staff).get(f"tasks/{task.pk}/checkin-code").json()
    assert len(code["code"]) == 6 and code["expires_at"]
    assert error_of(api(volunteer).get(f"tasks/{task.pk}/checkin-code")) == (403, "permission_denied")
    claim = api(volunteer).post(f"tasks/{task.pk}/claims")
    assert code["code"] not in claim.content.decode()
    assert code["code"] not in api(volunteer).get(f"tasks/{task.pk}").content.decode()


def test_a_checkin_code_with_non_ascii_characters_is_just_a_wrong_code(api, task, volunteer):
    # Found by the API fuzzer: the constant-time comparison refused non-ASCII text (a 500).
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=5), tick=False):
        assert error_of(api(volunteer).post(f"claims/{claim_id}/check-in", {"code": "一二三四五六"})) == (400, "invalid_code")
    assert Claim.objects.get(pk=claim_id).checked_in_at is None


def test_the_whole_journey_through_the_api(api, make_task, funded, staff, volunteer, resident):
    task = make_task(beneficiary=resident)
    me, boss = api(volunteer), api(staff)
    claim_id = me.post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=5), tick=False):
        assert error_of(me.post(f"claims/{claim_id}/check-in", {"code": "abcdef"})) == (400, "invalid_code")
        code = boss.get(f"tasks/{task.pk}/checkin-code").json()["code"]
        assert me.post(f"claims/{claim_id}/check-in", {"code": code}).json()["status"] == "checked_in"
    with time_machine.travel(task.ends_at, tick=False):
        code = boss.get(f"tasks/{task.pk}/checkin-code").json()["code"]
        assert me.post(f"claims/{claim_id}/check-out", {"code": code}).json()["credited_hours"] == "2.00"
        assert error_of(me.post(f"claims/{claim_id}/submit", {"hours": 3})) == (400, "too_many_hours")
        assert me.post(f"claims/{claim_id}/submit", {"note": "顺利完成"}).json()["status"] == "submitted"
    assert error_of(me.post(f"claims/{claim_id}/verify")) == (403, "permission_denied")
    # The service was for the resident: until she confirms it, staff cannot verify it.
    assert error_of(boss.post(f"claims/{claim_id}/verify", {"hours": 0.5})) == (409, "awaiting_confirmation")
    assert error_of(api(resident).post(f"claims/{claim_id}/confirm")) == (409, "too_early")  # not before the service starts
    with time_machine.travel(task.ends_at, tick=False):
        assert api(resident).post(f"claims/{claim_id}/confirm").json()["confirmation_method"] == "self"
    verified = boss.post(f"claims/{claim_id}/verify", {"hours": 0.5})
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["points_awarded"]) == ("verified", 10)
    assert boss.post(f"claims/{claim_id}/verify").json()["points_awarded"] == 10  # a retry pays nothing more
    assert person_balance(volunteer) == 10
    review = api(resident).post(f"claims/{claim_id}/review", {"stars": 5, "comment": "非常感谢"})
    assert review.status_code == 201
    assert error_of(api(resident).post(f"claims/{claim_id}/review", {"stars": 4})) == (409, "already_reviewed")
    record = me.get(f"volunteers/{volunteer.pk}/record").json()
    assert (record["services"], record["hours"], record["credited_hours"], record["points"]) == (1, "0.50", "2.00", 10)
    reputation = api().get(f"volunteers/{volunteer.pk}/reputation").json()
    assert reputation["reviews"] == 1 and reputation["score"] == "4.17"


def test_reviewing_an_unverified_claim_is_409(api, make_task, volunteer, resident):
    task = make_task(beneficiary=resident)
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    assert error_of(api(resident).post(f"claims/{claim_id}/review", {"stars": 5})) == (409, "claim_not_verified")
    assert not Review.objects.exists()


def test_claims_of_others_are_404_and_lists_are_scoped(api, task, volunteer, community, other_staff, staff):
    from tests.factories import MembershipFactory

    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    stranger = MembershipFactory(community=community, role="volunteer").user
    assert api(stranger).get(f"claims/{claim_id}").status_code == 404
    assert api(stranger).post(f"claims/{claim_id}/withdraw").status_code == 404
    assert api(other_staff).get(f"claims/{claim_id}").status_code == 404
    assert api(stranger).get("claims").json()["count"] == 0
    assert api(staff).get("claims", {"task": task.pk}).json()["count"] == 1
    assert api(volunteer).get("claims").json()["items"][0]["id"] == claim_id


def test_a_volunteer_record_is_private(api, volunteer, resident, staff):
    assert api(resident).get(f"volunteers/{volunteer.pk}/record").status_code == 404
    assert api(staff).get(f"volunteers/{volunteer.pk}/record").status_code == 200


def test_staff_hide_a_review(api, make_task, funded, staff, volunteer, resident):
    from orders import services

    task = make_task(beneficiary=resident)
    claim = services.claim_create(actor=volunteer, task=task)
    Claim.objects.filter(pk=claim.pk).update(status="verified", confirmed_at=task.starts_at)
    review_id = api(resident).post(f"claims/{claim.pk}/review", {"stars": 1, "comment": "脏话"}).json()["id"]
    assert error_of(api(resident).post(f"reviews/{review_id}/hide", {"reason": "x"})) == (403, "permission_denied")
    hidden = api(staff).post(f"reviews/{review_id}/hide", {"reason": "侮辱性语言"}).json()
    assert hidden["hidden"] is True and hidden["comment"] == ""


def test_notifications_are_listed_and_marked_read(api, task, staff, volunteer, django_capture_on_commit_callbacks):
    api(volunteer).post(f"tasks/{task.pk}/claims")
    with django_capture_on_commit_callbacks(execute=True):
        api(staff).post(f"tasks/{task.pk}/cancel")
    listing = api(volunteer).get("notifications", {"unread": "true"}).json()
    assert listing["count"] == 1 and "陪伴独居老人" in listing["items"][0]["message"]
    assert api(volunteer).post("notifications/read", {}).json() == {"marked": 1, "unread": 0}

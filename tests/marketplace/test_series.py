"""Recurring tasks: a series posted in one step (all or nothing), listed by series, edited and
cancelled one occurrence or the rest of the series at a time, and refused whole past the budget."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import Task, TaskSeries
from orders import services as orders
from tests.conftest import browser, error_of


def _body(community, **changes):
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=16, minute=30, second=0, microsecond=0)
    body = {
        "community_id": community.pk, "title": "四点半课堂", "category": "education", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "社区活动室", "slots": 3, "points": 10,
    }
    body.update(changes)
    return body


@pytest.fixture
def weekly(api, staff, funded):
    """A weekly series of 4 (the pool holds 10,000 points; 4 × 3 × 10 = 120)."""
    response = api(staff).post("tasks", _body(funded, repeat={"every": "week", "count": 4}))
    assert response.status_code == 201, response.content
    return response.json()


def test_a_weekly_series_is_posted_in_one_step_and_listed_by_its_series(api, weekly):
    assert weekly["series_id"] is not None
    listed = api().get("tasks", {"series": weekly["series_id"]}).json()["items"]
    starts = [t["starts_at"] for t in listed]
    assert len(listed) == 4 and listed[0]["id"] == weekly["id"]
    first = Task.objects.get(pk=weekly["id"]).starts_at
    assert [Task.objects.get(pk=t["id"]).starts_at - first for t in listed] == [timedelta(weeks=i) for i in range(4)]
    assert starts == sorted(starts)


def test_a_daily_series(api, staff, funded):
    response = api(staff).post("tasks", _body(funded, repeat={"every": "day", "count": 2}))
    assert response.status_code == 201
    tasks = list(Task.objects.filter(series_id=response.json()["series_id"]).order_by("starts_at"))
    assert tasks[1].starts_at - tasks[0].starts_at == timedelta(days=1)


@pytest.mark.parametrize("repeat", [{"every": "month", "count": 3}, {"every": "week", "count": 1}, {"every": "week", "count": 53}])
def test_a_bad_repeat_is_refused_and_nothing_is_written(api, staff, funded, repeat):
    response = api(staff).post("tasks", _body(funded, repeat=repeat))
    assert error_of(response) == (400, "invalid_repeat")
    assert not Task.objects.exists() and not TaskSeries.objects.exists()


def test_a_series_that_crosses_the_points_budget_is_refused_whole_with_the_reason(api, staff, community, superuser):
    from points.services import points_budget

    points_budget(actor=superuser, community=community, amount=100)
    response = api(staff, language="en").post("tasks", _body(community, slots=2, points=10, repeat={"every": "week", "count": 6}))
    assert error_of(response) == (409, "series_over_budget")
    assert "120" in response.json()["detail"] and "100" in response.json()["detail"]
    assert not Task.objects.exists() and not TaskSeries.objects.exists()
    # 5 weeks fit exactly.
    assert api(staff).post("tasks", _body(community, slots=2, points=10, repeat={"every": "week", "count": 5})).status_code == 201


def test_cancelling_one_occurrence_leaves_the_rest(api, staff, weekly):
    ids = list(Task.objects.filter(series_id=weekly["series_id"]).order_by("starts_at").values_list("pk", flat=True))
    response = api(staff).post(f"tasks/{ids[1]}/cancel", {"reason": "放假"})
    assert response.status_code == 200
    statuses = [Task.objects.get(pk=i).status for i in ids]
    assert statuses == ["open", "cancelled", "open", "open"]


def test_cancelling_this_and_the_following_tells_their_claimants(api, staff, volunteer, weekly, django_capture_on_commit_callbacks):
    from accounts.models import Notification

    ids = list(Task.objects.filter(series_id=weekly["series_id"]).order_by("starts_at").values_list("pk", flat=True))
    claim = orders.claim_create(actor=volunteer, task=Task.objects.get(pk=ids[3]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(staff).post(f"tasks/{ids[1]}/cancel", {"reason": "场地维修", "scope": "following"})
    assert response.status_code == 200
    assert [Task.objects.get(pk=i).status for i in ids] == ["open", "cancelled", "cancelled", "cancelled"]
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert Notification.objects.filter(user=volunteer, kind="task_cancelled").exists()


def test_a_bad_scope_is_refused(api, staff, weekly):
    assert error_of(api(staff).post(f"tasks/{weekly['id']}/cancel", {"scope": "all"})) == (400, "invalid_scope")
    assert Task.objects.get(pk=weekly["id"]).status == "open"


def test_editing_this_and_the_following_moves_their_times_alike(api, staff, weekly):
    ids = list(Task.objects.filter(series_id=weekly["series_id"]).order_by("starts_at").values_list("pk", flat=True))
    before = {i: Task.objects.get(pk=i).starts_at for i in ids}
    second = Task.objects.get(pk=ids[1])
    new_start = second.starts_at + timedelta(hours=1)
    body = _body(second.community, title="四点半课堂（新教室）", starts_at=new_start.isoformat(), ends_at=(new_start + timedelta(hours=2)).isoformat(), scope="following")
    body.pop("community_id")
    response = api(staff)._call("put", f"tasks/{ids[1]}", body)
    assert response.status_code == 200, response.content
    after = {i: Task.objects.get(pk=i) for i in ids}
    assert after[ids[0]].title == "四点半课堂" and after[ids[0]].starts_at == before[ids[0]]
    for i in ids[1:]:
        assert after[i].title == "四点半课堂（新教室）"
        assert after[i].starts_at == before[i] + timedelta(hours=1)


def test_editing_only_this_occurrence_is_the_default(api, staff, weekly):
    ids = list(Task.objects.filter(series_id=weekly["series_id"]).order_by("starts_at").values_list("pk", flat=True))
    first = Task.objects.get(pk=ids[0])
    body = _body(first.community, title="改名", starts_at=first.starts_at.isoformat(), ends_at=first.ends_at.isoformat())
    body.pop("community_id")
    assert api(staff)._call("put", f"tasks/{ids[0]}", body).status_code == 200
    assert [Task.objects.get(pk=i).title for i in ids] == ["改名", "四点半课堂", "四点半课堂", "四点半课堂"]


def test_the_task_form_posts_a_series_and_the_cancel_form_offers_the_rest(staff, funded):
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = {
        "title": "助老送餐", "category": "elder_care", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "location": "社区食堂", "slots": 2, "points": 5,
        "repeat_every": "day", "repeat_count": 3,
    }
    page = browser(staff, "en").get(f"/tasks/new/{funded.pk}/").content.decode()
    assert "Repeat" in page and "How many times in all" in page
    response = browser(staff, "en").post(f"/tasks/new/{funded.pk}/", form)
    assert response.status_code == 302
    tasks = list(Task.objects.order_by("starts_at"))
    assert len(tasks) == 3 and len({t.series_id for t in tasks}) == 1
    detail = browser(staff, "en").get(f"/tasks/{tasks[0].pk}/").content.decode()
    assert "This one and the rest of the series" in detail
    browser(staff, "en").post(f"/tasks/{tasks[1].pk}/cancel/", {"reason": "停业", "scope": "following"})
    assert [t.status for t in Task.objects.order_by("starts_at")] == ["open", "cancelled", "cancelled"]


def test_the_task_form_refuses_a_series_past_the_budget_with_the_reason(staff, community):
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = {
        "title": "助老送餐", "category": "elder_care", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "location": "社区食堂", "slots": 2, "points": 5,
        "repeat_every": "week", "repeat_count": 4,
    }
    response = browser(staff).post(f"/tasks/new/{community.pk}/", form)
    assert response.status_code == 400
    assert "积分" in response.content.decode() and not Task.objects.exists()

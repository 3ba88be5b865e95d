"""A task or project that was never published stays as private as a draft, even once cancelled:
in the API, the pages, the board's pushes (#19.3, docs/security.md)."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from marketplace.models import Project, Task
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db


# --- #3 A cancelled draft stays as private as a draft -------------------------------------------------
def test_a_cancelled_draft_task_stays_private_through_the_api_and_the_pages(api, make_task, staff, volunteer, community):
    from orders.services import task_cancel

    draft = make_task(draft=True, title="未公开的草稿任务")
    task_cancel(actor=staff, task=draft, reason="不办了")
    draft.refresh_from_db()
    assert draft.status == Task.Status.CANCELLED and draft.published_at is None
    for caller in (api(), api(volunteer)):
        assert error_of(caller.get(f"tasks/{draft.pk}"))[0] == 404
        listed = caller.get("tasks", {"status": "cancelled"})
        assert listed.status_code == 200 and draft.pk not in [t["id"] for t in listed.json()["items"]]
    for client in (browser(), browser(volunteer)):
        assert client.get(f"/tasks/{draft.pk}/card/").status_code == 404
        assert client.get(f"/tasks/{draft.pk}/").status_code == 404
    # Its own staff still see it.
    assert api(staff).get(f"tasks/{draft.pk}").status_code == 200
    assert browser(staff).get(f"/tasks/{draft.pk}/").status_code == 200


def test_a_cancelled_published_task_is_still_public(api, make_task, staff):
    from orders.services import task_cancel

    task = make_task()
    task_cancel(actor=staff, task=task, reason="暴雨")
    response = api().get(f"tasks/{task.pk}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_published_draft_becomes_public_and_remembers_when(api, make_task, staff):
    from marketplace.services import task_publish

    draft = make_task(draft=True)
    assert api().get(f"tasks/{draft.pk}").status_code == 404
    task_publish(actor=staff, task=draft)
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert api().get(f"tasks/{draft.pk}").status_code == 200


def test_a_cancelled_draft_project_stays_private(api, staff, volunteer, community):
    body = {"community_id": community.pk, "title": "未公开的草稿项目", "budget": 100_000, "currency": "cny",
            "bid_deadline": (timezone.now() + timedelta(days=3)).isoformat(), "draft": True}
    created = api(staff).post("projects", body)
    assert created.status_code == 201, created.content
    project_id = created.json()["id"]
    assert api(staff).post(f"projects/{project_id}/cancel", {"reason": "不办了"}).status_code == 200
    assert Project.objects.get(pk=project_id).status == Project.Status.CANCELLED
    for caller in (api(), api(volunteer)):
        assert caller.get(f"projects/{project_id}").status_code == 404
        assert project_id not in [p["id"] for p in caller.get("projects").json()["items"]]
        assert caller.get(f"funds/{community.pk}", {"project": project_id}).status_code == 404
    for client in (browser(), browser(volunteer)):
        assert client.get(f"/projects/{project_id}/").status_code == 404
        assert "未公开的草稿项目" not in client.get(f"/communities/{community.pk}/info/").content.decode()
        assert client.get(f"/communities/{community.pk}/projects/{project_id}/funds/").status_code == 404
    assert api(staff).get(f"projects/{project_id}").status_code == 200


def test_the_migration_backfills_published_from_the_history(make_task, staff):
    import importlib

    from django.apps import apps

    from marketplace.services import task_publish
    from orders.services import task_cancel

    backfill = importlib.import_module("marketplace.migrations.0008_published_at").backfill
    never = make_task(draft=True)
    task_cancel(actor=staff, task=never)
    once = make_task(draft=True)
    task_publish(actor=staff, task=once)
    task_cancel(actor=staff, task=once)
    still_draft, live = make_task(draft=True), make_task()
    Task.objects.update(published_at=None)
    backfill(apps, None)
    published = dict(Task.objects.values_list("pk", "published_at"))
    assert published[never.pk] is None and published[still_draft.pk] is None
    assert published[once.pk] is not None and published[live.pk] is not None


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_draft_is_never_pushed_to_the_board(board_world):
    from config.asgi import application
    from marketplace.services import task_create
    from orders.services import task_cancel

    community, staff, _volunteer, _task, fields = board_world

    async def scenario():
        board = WebsocketCommunicator(application, f"/ws/communities/{community.pk}/tasks/")
        district = WebsocketCommunicator(application, "/ws/tasks/")
        assert (await board.connect())[0] and (await district.connect())[0]
        draft = await database_sync_to_async(task_create)(actor=staff, community=community, fields=fields, draft=True)
        await database_sync_to_async(task_cancel)(actor=staff, task=draft, reason="不办了")
        assert await board.receive_nothing(timeout=0.5)
        assert await district.receive_nothing(timeout=0.1)
        await board.disconnect()
        await district.disconnect()

    async_to_sync(scenario)()



"""The shared cache of anonymous public task lists (config/pubcache.py): it answers repeated reads
without the database, and never shows a list older than the last change to a task."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace.services import TaskFields, task_update
from orders.services import claim_create

LIST = "/api/v1/tasks?page_size=20"


@pytest.fixture(autouse=True)
def public_cache(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, len(queries)


def test_a_repeated_anonymous_read_is_answered_without_the_database(task):
    first, first_queries = queries_for(Client(), LIST)
    again, again_queries = queries_for(Client(), LIST)
    assert first_queries > 0 and again_queries == 0
    assert again.content == first.content and again["Content-Type"].startswith("application/json")
    assert again["X-Content-Type-Options"] == "nosniff"  # the security headers are still added


def test_a_claim_shows_in_the_next_anonymous_read(task, volunteer, django_capture_on_commit_callbacks):
    before = Client().get(LIST).json()["items"][0]
    assert before["slots_taken"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        claim_create(actor=volunteer, task=task)
    after = Client().get(LIST).json()["items"][0]
    assert after["slots_taken"] == 1


def test_an_edited_title_shows_on_the_board_page_at_once(task, staff, django_capture_on_commit_callbacks):
    assert "陪伴独居老人" in Client().get("/tasks/").content.decode()
    fields = TaskFields(
        title="义务理发进社区", description=task.description, category=task.category, starts_at=task.starts_at, ends_at=task.ends_at,
        location=task.location, slots=task.slots, points=task.points, skills=[], beneficiary=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        task_update(actor=staff, task=task, fields=fields)
    page = Client().get("/tasks/").content.decode()
    assert "义务理发进社区" in page and "陪伴独居老人" not in page


def test_a_logged_in_reader_is_never_served_nor_stored(make_task, staff):
    make_task(title="草稿：只有工作人员能看到", draft=True)
    anonymous = Client().get(LIST).json()
    staff_client = Client()
    staff_client.force_login(staff)
    _, staff_queries = queries_for(staff_client, LIST)
    mine = staff_client.get(LIST).json()
    assert staff_queries > 0
    assert "草稿：只有工作人员能看到" in [t["title"] for t in mine["items"]]
    assert "草稿：只有工作人员能看到" not in [t["title"] for t in Client().get(LIST).json()["items"]]
    assert anonymous["count"] == mine["count"] - 1


def test_each_language_has_its_own_page(task):
    chinese = Client().get("/tasks/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/tasks/").content.decode()
    assert "任务大厅" in chinese and "Task board" in english
    assert "Task board" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/tasks/").content.decode()


def test_an_unreachable_cache_only_costs_speed(task):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache is down")):
        response = Client().get(LIST)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_failed_answer_is_not_kept(task):
    bad = Client().get("/api/v1/tasks?starts_after=not-a-date")
    assert bad.status_code in (400, 422)
    _, queries = queries_for(Client(), "/api/v1/tasks?starts_after=2026-01-01T00:00:00")
    assert queries > 0


def test_without_the_setting_nothing_is_cached(task, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    queries_for(Client(), LIST)
    _, queries = queries_for(Client(), LIST)
    assert queries > 0

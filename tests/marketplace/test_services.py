"""Posting and managing tasks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace import services
from marketplace.models import Task, TaskStatusChange
from orders.services import task_cancel

pytestmark = pytest.mark.django_db


def test_staff_post_an_open_task_with_history(task, staff):
    assert task.status == "open"
    assert list(TaskStatusChange.objects.filter(task=task).values_list("from_status", "to_status", "actor")) == [("", "open", staff.pk)]


def test_only_staff_of_the_community_post_tasks(make_task, volunteer, other_staff):
    for actor in (volunteer, other_staff):
        with pytest.raises(PermissionDenied):
            make_task(actor=actor)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"title": "  "}, "required"),
        ({"category": "astrology"}, "invalid_category"),
        ({"slots": 0}, "invalid_slots"),
        ({"points": -1}, "invalid_points"),
        ({"location": ""}, "required"),
    ],
)
def test_bad_task_fields_are_refused(make_task, overrides, code):
    with pytest.raises(ValidationFailed) as exc:
        make_task(**overrides)
    assert exc.value.code == code
    assert not Task.objects.exists()


def test_a_task_at_the_end_of_the_calendar_is_refused(make_task, api, staff, community):
    # Found by the API fuzzer: a task in the year 9999 was saved, and then the task board could no
    # longer be shown to anyone (no local time exists there).
    start = timezone.now() + timedelta(days=365 * 11)
    with pytest.raises(ValidationFailed) as exc:
        make_task(starts_at=start, ends_at=start + timedelta(hours=2))
    assert (exc.value.code, exc.value.field) == ("invalid_time", "starts_at")
    body = {"community_id": community.pk, "title": "陪伴独居老人", "category": "elder_care", "location": "3 栋", "slots": 1,
            "starts_at": "9999-12-31T20:00:00Z", "ends_at": "9999-12-31T21:00:00Z"}
    response = api(staff).post("tasks", body)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert not Task.objects.exists()


def test_a_task_must_end_after_it_starts_and_not_in_the_past(make_task):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed):
        make_task(starts_at=start, ends_at=start - timedelta(hours=1))
    past = timezone.now() - timedelta(days=2)
    with pytest.raises(ValidationFailed):
        make_task(starts_at=past, ends_at=past + timedelta(hours=1))
    assert not Task.objects.exists()


def test_the_beneficiary_must_be_a_resident_of_the_community(make_task, volunteer, resident):
    with pytest.raises(ValidationFailed) as exc:
        make_task(beneficiary=volunteer)
    assert exc.value.code == "invalid_beneficiary"
    assert make_task(beneficiary=resident).beneficiary == resident


def test_a_draft_is_published_later(make_task, staff):
    draft = make_task(draft=True)
    assert draft.status == "draft"
    services.task_publish(actor=staff, task=draft)
    draft.refresh_from_db()
    assert draft.status == "open"


def test_a_task_with_claims_cannot_be_edited(task, staff, volunteer):
    from orders.services import claim_create

    claim_create(actor=volunteer, task=task)
    fields = services.TaskFields(
        title="改了", description="", category="other", starts_at=task.starts_at, ends_at=task.ends_at,
        location="x", slots=5, points=1, skills=[], beneficiary=None,
    )
    with pytest.raises(Conflict) as exc:
        services.task_update(actor=staff, task=task, fields=fields)
    assert exc.value.code == "task_has_claims"
    task.refresh_from_db()
    assert task.title == "陪伴独居老人"


def test_a_cancelled_task_cannot_be_reopened(task, staff):
    task_cancel(actor=staff, task=task)
    with pytest.raises(Conflict) as exc:
        services.task_publish(actor=staff, task=task)
    assert exc.value.code == "invalid_transition"


def test_the_checkin_code_rotates_and_the_previous_one_still_works(task, staff):
    now = timezone.now()
    code, expires_at = services.task_checkin_code(actor=staff, task=task, now=now)
    assert len(code) == 6 and code.isdigit()
    assert expires_at > now
    later = expires_at + timedelta(seconds=1)
    new_code, _ = services.task_checkin_code(actor=staff, task=task, now=later)
    assert services.checkin_code_is_valid(task, code, now=later)  # read just before it rotated
    assert services.checkin_code_is_valid(task, new_code, now=later)
    assert not services.checkin_code_is_valid(task, code, now=later + timedelta(minutes=10))


def test_volunteers_cannot_see_the_checkin_code(task, volunteer):
    with pytest.raises(PermissionDenied):
        services.task_checkin_code(actor=volunteer, task=task)


from tests.conftest import needs_postgres  # noqa: E402


@needs_postgres
def test_postgres_has_trigram_indexes_for_the_text_search():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'marketplace_task' AND indexname LIKE '%%trgm'")
        assert {row[0] for row in cursor.fetchall()} == {"task_title_trgm", "task_description_trgm"}

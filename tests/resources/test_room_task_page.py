"""The room's page lets staff post a task held in the room (``POST /venues/{id}/tasks`` on a page):
the task and its confirmed booking, or neither with the reason shown in the form."""

import pytest

from marketplace.models import Task
from resources.models import Booking
from resources.services import booking_request
from tests.conftest import browser
from tests.resources.conftest import at

pytestmark = pytest.mark.django_db


def _form(day, **extra):
    return {"title": "绘本共读", "category": "education", "day": day, "starts": "15:00", "ends": "16:30", "slots": "3", "points": "0",
            "description": "", **extra}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_post_a_task_held_in_the_room_from_its_page(room, staff, language):
    page = browser(staff, language).get(f"/resources/venues/{room.pk}/").content.decode()
    assert f"/resources/venues/{room.pk}/tasks/" in page
    day = at(5, 0).date().isoformat()
    response = browser(staff, language).post(f"/resources/venues/{room.pk}/tasks/", _form(day))
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert task.status == "open" and task.location == "原聚场·文化活动室"
    booking = Booking.objects.get(task=task)
    assert booking.status == "confirmed" and booking.starts_at == at(5, 15, 0) and booking.ends_at == at(5, 16, 30)
    week = browser().get(f"/resources/venues/{room.pk}/", {"week": day}).content.decode()
    assert "15:00–16:30" in week


def test_a_taken_room_or_a_bad_field_keeps_the_form_and_writes_nothing(room, staff, resident):
    day = at(5, 0).date().isoformat()
    booking_request(actor=resident, venue=room, starts_at=at(5, 16), ends_at=at(5, 17), purpose="合唱排练", attendees=5)
    taken = browser(staff, "en").post(f"/resources/venues/{room.pk}/tasks/", _form(day))
    assert taken.status_code == 409 and "already booked" in taken.content.decode() and "绘本共读" in taken.content.decode()
    bad = browser(staff, "en").post(f"/resources/venues/{room.pk}/tasks/", _form(day, starts="later", title=""))
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    backwards = browser(staff).post(f"/resources/venues/{room.pk}/tasks/", _form(day, starts="12:00", ends="11:00"))
    assert backwards.status_code == 400
    assert not Task.objects.exists() and Booking.objects.count() == 1


def test_only_staff_see_and_use_the_task_form(room, resident):
    assert f"/resources/venues/{room.pk}/tasks/" not in browser(resident).get(f"/resources/venues/{room.pk}/").content.decode()
    refused = browser(resident, "en").post(f"/resources/venues/{room.pk}/tasks/", _form(at(5, 0).date().isoformat()))
    assert refused.status_code == 403 and not Task.objects.exists()
    assert browser(resident).post("/resources/venues/999999/tasks/", _form(at(5, 0).date().isoformat())).status_code == 404

"""A meeting that reserves its room: the meeting and a confirmed booking of the room for its time are
written together through resources' booking service, or neither (409 ``venue_taken`` when the room
is held)."""

import pytest

from deliberation.models import Meeting
from resources import services as resources_services
from resources.models import Booking
from tests.conftest import browser, error_of
from tests.resources.conftest import at, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(community, staff):
    return resources_services.venue_create(actor=staff, community=community, name="原聚场·议事厅", capacity=30, open_hours_text="08:30-21:00")


def test_a_meeting_with_a_room_books_it_confirmed_for_two_hours(api, community, staff, stewards, room):
    body = {"title": "议事会", "starts_at": iso(at(3, 18)), "venue_id": room.pk}
    response = api(staff).post(f"communities/{community.pk}/meetings", body)
    assert response.status_code == 201 and response.json()["location"] == "原聚场·议事厅"
    booking = Booking.objects.get(venue=room)
    assert booking.status == "confirmed" and booking.purpose == "议事会"
    assert booking.starts_at == at(3, 18) and booking.ends_at == at(3, 20)
    week = api(stewards[0]).get(f"venues/{room.pk}/week", {"start": at(3, 18).date().isoformat()}).json()
    assert any(b["label"] and b["status"] == "confirmed" for d in week["days"] for b in d["blocks"])


def test_a_held_room_refuses_the_meeting_and_nothing_is_written(api, community, staff, resident, room):
    resources_services.booking_request(actor=resident, venue=room, starts_at=at(3, 19), ends_at=at(3, 21), purpose="合唱排练", attendees=10)
    body = {"title": "议事会", "starts_at": iso(at(3, 18)), "ends_at": iso(at(3, 20)), "venue_id": room.pk, "location": "x"}
    assert error_of(api(staff).post(f"communities/{community.pk}/meetings", body)) == (409, "venue_taken")
    assert not Meeting.objects.exists() and Booking.objects.count() == 1


def test_bad_rooms_and_times_are_refused_and_nothing_is_written(api, community, staff, room, other_community, other_staff):
    post = api(staff).post
    assert error_of(post(f"communities/{community.pk}/meetings", {"title": "x", "starts_at": iso(at(3, 18)), "venue_id": 999999})) == (
        404, "venue_not_found")
    foreign = resources_services.venue_create(actor=other_staff, community=other_community, name="别处", capacity=5, open_hours_text="08:00-20:00")
    assert error_of(post(f"communities/{community.pk}/meetings", {"title": "x", "starts_at": iso(at(3, 18)), "venue_id": foreign.pk})) == (
        400, "invalid_venue")
    late = {"title": "x", "starts_at": iso(at(3, 20)), "ends_at": iso(at(3, 22)), "venue_id": room.pk}
    assert error_of(post(f"communities/{community.pk}/meetings", late)) == (400, "outside_open_hours")
    backwards = {"title": "x", "starts_at": iso(at(3, 18)), "ends_at": iso(at(3, 17)), "venue_id": room.pk}
    assert error_of(post(f"communities/{community.pk}/meetings", backwards)) == (400, "ends_before_start")
    assert error_of(post(f"communities/{community.pk}/meetings", {"title": "x", "starts_at": iso(at(3, 18))})) == (400, "required")
    assert not Meeting.objects.exists() and not Booking.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_reserve_the_room_from_the_meeting_form(community, staff, stewards, room, language):
    home = browser(staff, language).get(f"/deliberation/communities/{community.pk}/").content.decode()
    assert "原聚场·议事厅" in home and 'name="venue"' in home
    form = {"title": "议事会", "starts_at": at(4, 9).strftime("%Y-%m-%dT%H:%M"), "venue": str(room.pk), "location": ""}
    page = browser(staff, language).post(f"/deliberation/communities/{community.pk}/meetings/", form, follow=True)
    assert page.status_code == 200 and Meeting.objects.get().location == "原聚场·议事厅"
    assert Booking.objects.get(venue=room).status == "confirmed"
    again = browser(staff, language).post(f"/deliberation/communities/{community.pk}/meetings/", form, follow=True).content.decode()
    assert ("already booked" in again) if language == "en" else ("这段时间场地已被预约" in again)
    assert Meeting.objects.count() == 1

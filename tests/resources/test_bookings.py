"""Booking a room: a request, staff's decision, the requester told; every bad time refused with its code, nothing written."""

import pytest
from django.test import Client
from icalendar import Calendar

from accounts.models import Notification
from resources.models import Booking
from tests.conftest import error_of
from tests.resources.conftest import at, iso

pytestmark = pytest.mark.django_db


def _book(api, user, room, start, end, **extra):
    body = {"starts_at": iso(start), "ends_at": iso(end), "purpose": "合唱排练", "attendees": 20, **extra}
    return api(user).post(f"venues/{room.pk}/bookings", body)


def test_anyone_sees_the_rooms_and_their_open_hours(api, room):
    items = api().get("venues", {"community": room.community_id}).json()["items"]
    assert items == [{"id": room.pk, "name": "原聚场·文化活动室", "community_id": room.community_id, "capacity": 30, "open_hours": "08:30-21:00",
                      "max_hours": 4, "description": ""}]


def test_a_resident_requests_a_room_and_staff_approve_it_and_she_is_told(api, room, resident, staff):
    response = _book(api, resident, room, at(2, 14), at(2, 16))
    assert response.status_code == 201 and response.json()["status"] == "requested"
    booking_id = response.json()["id"]
    approved = api(staff).post(f"bookings/{booking_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    note = Notification.objects.get(user=resident, kind="booking")
    assert "原聚场·文化活动室" in note.message and "/resources/bookings/" in note.url
    week = api().get(f"venues/{room.pk}/week", {"start": at(2, 0).date().isoformat()}).json()
    blocks = [b for d in week["days"] for b in d["blocks"]]
    assert [(b["status"], b["label"]) for b in blocks] == [("confirmed", "合唱排练")]


def test_staff_refuse_with_a_reason_the_requester_reads_and_the_time_is_free_again(api, room, resident, volunteer, staff):
    booking_id = _book(api, resident, room, at(2, 14), at(2, 16)).json()["id"]
    assert error_of(api(staff).post(f"bookings/{booking_id}/reject", {"reason": ""})) == (400, "required")
    refused = api(staff).post(f"bookings/{booking_id}/reject", {"reason": "那天消防检查"})
    assert refused.json()["status"] == "refused" and "那天消防检查" in Notification.objects.get(user=resident).message
    assert _book(api, volunteer, room, at(2, 14), at(2, 16)).status_code == 201


def test_an_overlapping_request_is_refused_but_one_may_start_when_another_ends(api, room, resident, volunteer):
    assert _book(api, resident, room, at(2, 14), at(2, 16)).status_code == 201
    assert error_of(_book(api, volunteer, room, at(2, 15), at(2, 17))) == (409, "venue_taken")
    assert _book(api, volunteer, room, at(2, 16), at(2, 18)).status_code == 201
    assert Booking.objects.count() == 2


@pytest.mark.parametrize("start, end, code", [
    ((2, 16), (2, 14), "ends_before_start"),
    ((-1, 14), (-1, 16), "booking_in_past"),
    ((2, 7), (2, 9), "outside_open_hours"),
    ((2, 20), (2, 22), "outside_open_hours"),
    ((2, 9), (2, 15), "booking_too_long"),
])
def test_bad_times_are_refused_with_their_code_and_nothing_is_written(api, room, resident, start, end, code):
    response = _book(api, resident, room, at(*start), at(*end))
    assert error_of(response) == (400, code)
    assert response.json()["detail"]
    assert Booking.objects.count() == 0


def test_more_people_than_the_room_holds_is_refused(api, room, resident):
    assert error_of(_book(api, resident, room, at(2, 14), at(2, 16), attendees=31)) == (400, "over_capacity")


def test_someone_outside_the_community_cannot_book_unless_for_her_organisation(api, room, outsider, choir, leader):
    assert error_of(_book(api, outsider, room, at(2, 14), at(2, 16))) == (403, "not_a_member")
    assert error_of(_book(api, outsider, room, at(2, 14), at(2, 16), organization_id=choir.pk)) == (403, "not_org_member")
    assert _book(api, leader, room, at(2, 14), at(2, 16), organization_id=choir.pk).status_code == 201


def test_a_booking_is_private_to_its_requester_and_staff_and_only_staff_approve(api, room, resident, volunteer, staff, other_staff):
    booking_id = _book(api, resident, room, at(2, 14), at(2, 16)).json()["id"]
    assert error_of(api(volunteer).get(f"bookings/{booking_id}")) == (404, "booking_not_found")
    assert error_of(api(other_staff).post(f"bookings/{booking_id}/approve")) == (404, "booking_not_found")
    assert error_of(api(resident).post(f"bookings/{booking_id}/approve")) == (403, "not_staff")
    assert api(resident).post(f"bookings/{booking_id}/cancel").json()["status"] == "cancelled"
    assert error_of(api(staff).post(f"bookings/{booking_id}/approve")) == (409, "invalid_transition")


def test_staff_see_the_requests_of_their_community(api, room, resident, staff, volunteer):
    _book(api, resident, room, at(2, 14), at(2, 16))
    assert api(staff).get("bookings", {"status": "requested"}).json()["count"] == 1
    assert api(volunteer).get("bookings").json()["count"] == 0


def test_only_staff_add_rooms_and_bad_open_hours_are_refused(api, community, staff, resident):
    body = {"community_id": community.pk, "name": "养老服务站", "capacity": 12, "open_hours": "09:00-17:30"}
    assert error_of(api(resident).post("venues", body)) == (403, "not_staff")
    assert error_of(api(staff).post("venues", {**body, "open_hours": "18:00-09:00"})) == (400, "invalid_open_hours")
    created = api(staff).post("venues", body)
    assert created.status_code == 201 and created.json()["open_hours"] == "09:00-17:30"


def test_a_confirmed_booking_shows_in_the_requesters_calendar_feed_and_a_requested_one_does_not(api, room, resident, staff):
    confirmed = _book(api, resident, room, at(2, 14), at(2, 16)).json()["id"]
    _book(api, resident, room, at(3, 14), at(3, 16))
    api(staff).post(f"bookings/{confirmed}/approve")
    url = api(resident).get("me/calendar").json()["url"].removeprefix("http://testserver")
    events = Calendar.from_ical(Client().get(url).content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["原聚场·文化活动室 · 合唱排练"]
    assert str(events[0]["url"]) == f"http://testserver/resources/bookings/{confirmed}/"

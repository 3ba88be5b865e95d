"""让渡: a standing weekly slot blocks each occurrence, both ways; only to a verified organisation."""

from datetime import timedelta

import pytest

from accounts.models import Organization
from resources.models import Handover
from tests.conftest import browser, error_of
from tests.factories import OrganizationFactory
from tests.resources.conftest import at, iso

pytestmark = pytest.mark.django_db


def _handover(api, user, room, org, **extra):
    day = at(1, 0).date()
    weekday = at(7, 0).isoweekday()  # the weekday of a week from today
    body = {"organization_id": org.pk, "weekday": weekday, "starts": "14:00", "ends": "17:00", "from": day.isoformat(),
            "until": (day + timedelta(days=60)).isoformat(), **extra}
    return api(user).post(f"venues/{room.pk}/handovers", body)


def test_a_handover_blocks_its_hours_every_week_and_the_week_view_shows_them(api, room, staff, choir, resident):
    response = _handover(api, staff, room, choir)
    assert response.status_code == 201 and response.json()["from"] and response.json()["until"]
    for week in (7, 14):
        refused = api(resident).post(f"venues/{room.pk}/bookings", {"starts_at": iso(at(week, 16)), "ends_at": iso(at(week, 18)),
                                                                    "purpose": "读书会", "attendees": 5})
        assert error_of(refused) == (409, "venue_taken")
    # Half-open: the hour the handover ends is free.
    free = api(resident).post(f"venues/{room.pk}/bookings", {"starts_at": iso(at(7, 17)), "ends_at": iso(at(7, 18)), "purpose": "读书会",
                                                             "attendees": 5})
    assert free.status_code == 201
    week = api().get(f"venues/{room.pk}/week", {"start": at(7, 0).date().isoformat()}).json()
    handed = [b for d in week["days"] for b in d["blocks"] if b["kind"] == "handover"]
    assert [(b["label"], b["starts_at"][11:16], b["ends_at"][11:16]) for b in handed] == [("东原社区合唱团", "14:00", "17:00")]


def test_a_handover_over_an_existing_booking_is_refused(api, room, staff, choir, resident):
    api(resident).post(f"venues/{room.pk}/bookings", {"starts_at": iso(at(14, 15)), "ends_at": iso(at(14, 16)), "purpose": "读书会",
                                                      "attendees": 5})
    assert error_of(_handover(api, staff, room, choir)) == (409, "venue_taken")
    assert Handover.objects.count() == 0


def test_two_handovers_of_the_same_hours_are_refused(api, room, staff, choir, community):
    assert _handover(api, staff, room, choir).status_code == 201
    club = OrganizationFactory(community=community, name="摄影社", kind=Organization.Kind.COMMUNITY_GROUP)
    assert error_of(_handover(api, staff, room, club, starts="16:00", ends="18:00")) == (409, "venue_taken")


def test_bad_handovers_are_refused_with_their_code_and_nothing_is_written(api, room, staff, resident, choir, community):
    pending = OrganizationFactory(community=community, status=Organization.Status.PENDING)
    assert error_of(_handover(api, staff, room, pending)) == (400, "organization_not_verified")
    assert error_of(_handover(api, staff, room, choir, weekday=8)) == (400, "invalid_weekday")
    assert error_of(_handover(api, staff, room, choir, starts="17:00", ends="14:00")) == (400, "ends_before_start")
    assert error_of(_handover(api, staff, room, choir, starts="07:00", ends="09:00")) == (400, "outside_open_hours")
    assert error_of(_handover(api, staff, room, choir, starts="2pm")) == (400, "invalid_time")
    assert error_of(_handover(api, staff, room, choir, **{"from": "9999-12-01"}, until="9999-12-31")) == (400, "invalid_period")
    assert error_of(_handover(api, staff, room, choir, until=at(-3, 0).date().isoformat(), **{"from": at(-30, 0).date().isoformat()})) == (
        400, "booking_in_past")
    assert error_of(_handover(api, resident, room, choir)) == (403, "not_staff")
    assert Handover.objects.count() == 0


def test_staff_see_use_per_room_per_month(api, room, staff, resident):
    booking = api(resident).post(f"venues/{room.pk}/bookings", {"starts_at": iso(at(2, 14)), "ends_at": iso(at(2, 16)), "purpose": "读书会",
                                                                "attendees": 5}).json()
    api(staff).post(f"bookings/{booking['id']}/approve")
    month = at(2, 14).strftime("%Y-%m")
    rows = api(staff).get(f"communities/{room.community_id}/venue-usage", {"month": month}).json()
    assert rows == [{"venue_id": room.pk, "venue": room.name, "bookings": 1, "booked_hours": 2.0, "handover_hours": 0.0}]
    assert error_of(api(resident).get(f"communities/{room.community_id}/venue-usage")) == (404, "community_not_found")


def test_a_week_or_a_month_at_the_edge_of_the_calendar_is_a_clear_400(api, room, staff):
    assert error_of(api().get(f"venues/{room.pk}/week", {"start": "9999-12-31"})) == (400, "invalid_date")
    assert error_of(api(staff).get(f"communities/{room.community_id}/venue-usage", {"month": "9999-12"})) == (400, "invalid_month")
    assert browser_get(f"/resources/venues/{room.pk}/?week=9999-12-31") == 200
    assert browser_get(f"/resources/manage/{room.community_id}/?month=9999-12", staff) == 200


def browser_get(path, user=None):
    return browser(user).get(path).status_code

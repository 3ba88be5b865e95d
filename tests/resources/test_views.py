"""The pages call the same services: a member books on the room's page, staff decide and hand over,
the week shows what is taken, a bio with script is refused, an overdue annual report is flagged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organization
from resources.models import Booking, Handover
from tests.conftest import browser
from tests.resources.conftest import at

pytestmark = pytest.mark.django_db


def test_anyone_reads_a_rooms_week_on_its_page(room):
    page = browser().get(f"/resources/venues/{room.pk}/").content.decode()
    assert "原聚场·文化活动室" in page and "08:30-21:00" in page and "登录后申请使用" in page


def test_a_club_leader_books_on_the_page_and_staff_approve_it(room, leader, choir, staff, community):
    from accounts.models import Membership

    Membership.objects.create(user=leader, community=community, role=Membership.Role.RESIDENT)
    day = at(3, 0).date().isoformat()
    response = browser(leader).post(f"/resources/venues/{room.pk}/book/", {"day": day, "starts": "19:00", "ends": "20:30", "purpose": "合唱排练",
                                                                          "attendees": "18", "organization": str(choir.pk)})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/resources/bookings/{booking.pk}/"
    assert booking.organization == choir and booking.status == "requested"
    manage = browser(staff).get(f"/resources/manage/{community.pk}/").content.decode()
    assert "合唱排练" in manage
    browser(staff).post(f"/resources/bookings/{booking.pk}/approve/", {"then": "manage"})
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    week = browser().get(f"/resources/venues/{room.pk}/", {"week": day}).content.decode()
    assert "19:00–20:30" in week and "东原社区合唱团" in week


def test_a_bad_time_on_the_page_is_shown_in_the_users_language_and_nothing_written(room, resident):
    day = at(3, 0).date().isoformat()
    response = browser(resident, language="en").post(f"/resources/venues/{room.pk}/book/", {"day": day, "starts": "06:00", "ends": "07:00",
                                                                                             "purpose": "晨练", "attendees": "5"})
    assert response.status_code == 400 and "The room is open 08:30-21:00" in response.content.decode()
    assert not Booking.objects.exists()


def test_staff_hand_a_room_over_on_the_page_and_the_week_shows_the_blocked_hours(room, staff, choir):
    first = timezone.localdate() + timedelta(days=1)
    response = browser(staff).post(f"/resources/venues/{room.pk}/handovers/", {
        "organization": str(choir.pk), "weekday": str(first.isoweekday()), "starts": "14:00", "ends": "17:00", "from": first.isoformat(),
        "until": (first + timedelta(days=60)).isoformat()})
    assert response.status_code == 302 and Handover.objects.count() == 1
    week = browser(staff).get(response["Location"]).content.decode()
    assert "14:00–17:00" in week and "已让渡" in week and "东原社区合唱团" in week


def test_a_bio_with_script_is_refused_on_the_page(community, resident):
    response = browser(resident).post("/resources/talents/me/", {"community": str(community.pk), "fields": "绘本",
                                                                 "bio": '<img src=x onerror="alert(1)">'})
    assert response.status_code == 400 and "纯文本" in response.content.decode()


def test_an_organisation_with_an_overdue_report_is_flagged_on_its_reports_page(org_admin):
    org = org_admin.organization_memberships.get().organization
    Organization.objects.filter(pk=org.pk).update(created_at=timezone.now() - timedelta(days=900))
    page = browser(org_admin).get(f"/resources/organizations/{org.pk}/annual-reports/").content.decode()
    assert "年度报告已逾期" in page

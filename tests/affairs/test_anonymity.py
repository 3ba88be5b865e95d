"""An anonymous report keeps its author for the district admin only: every door a community's staff
can open (the API list and answers, the management page, the public list, the admin, notifications,
log lines) is checked for the author's name and username."""

import logging

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Notification
from affairs import services
from affairs.models import Report
from tests.conftest import browser

pytestmark = pytest.mark.django_db

NAME = "王秀英举报人"


@pytest.fixture
def reporter(resident):
    resident.display_name = NAME
    resident.save(update_fields=["display_name"])
    return resident


def _shows_author(text: str, reporter) -> bool:
    return NAME in text or reporter.username in text


def test_no_door_shows_the_author_of_an_anonymous_report_to_community_staff(api, reporter, staff, community, caplog):
    caplog.set_level(logging.DEBUG)
    created = api(reporter).post("reports", {"community_id": community.pk, "subject": "低保评议不公开", "text": "名单没有公示", "anonymous": True})
    report = Report.objects.get(tracking_no=created.json()["tracking_no"])
    staff_api = api(staff)
    doors = {
        "API list": staff_api.get("reports").content.decode(),
        "API reply": staff_api.post(f"reports/{report.pk}/reply", {"reply": "已核实", "status": "in_progress"}).content.decode(),
        "API escalate": staff_api.post(f"reports/{report.pk}/escalate").content.decode(),
    }
    services.report_reply(actor=staff, report=report, reply="已整改并公示", status="resolved", public=True)
    page = browser(staff)
    doors["management page"] = page.get(f"/affairs/manage/{community.pk}/").content.decode()
    doors["public page"] = page.get("/affairs/reports/").content.decode()
    doors["public API"] = api().get("public/reports").content.decode()
    # Staff given the admin and every right on reports there still read no author.
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="affairs"))
    admin = browser(staff)
    doors["admin list"] = admin.get("/admin/affairs/report/").content.decode()
    doors["admin page"] = admin.get(f"/admin/affairs/report/{report.pk}/change/").content.decode()
    assert "低保评议不公开" in doors["management page"] and "低保评议不公开" in doors["admin page"]  # the doors were open
    doors["notifications"] = " ".join(str(n.__dict__) for n in Notification.objects.filter(user=staff))
    doors["log lines"] = caplog.text
    shown = [door for door, text in doors.items() if _shows_author(text, reporter)]
    assert shown == []


def test_the_district_admin_sees_the_author_of_an_anonymous_report(api, reporter, superuser, community):
    api(reporter).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "坏了", "anonymous": True})
    items = api(superuser).get("reports").json()["items"]
    assert items[0]["author_name"] == NAME
    assert NAME in browser(superuser).get(f"/affairs/manage/{community.pk}/").content.decode()


def test_staff_see_the_author_of_a_report_that_is_not_anonymous(api, reporter, staff, community):
    api(reporter).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "坏了", "anonymous": False})
    assert api(staff).get("reports").json()["items"][0]["author_name"] == NAME

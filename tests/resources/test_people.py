"""Talents, community groups' 备案, and annual reports with their effect on bidding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import annual_reports
from accounts.models import AnnualReport, Notification, Organization, OrganizationMember
from marketplace.services import project_create
from resources.models import Talent
from tests.conftest import error_of
from tests.factories import OrganizationFactory, OrganizationMemberFactory

pytestmark = pytest.mark.django_db


def _list(api, user, community, **extra):
    return api(user).client.put("/api/v1/me/talent", {"fields": ["绘本", "英语伴读"], "bio": "退休小学老师，爱讲绘本。", "community_id": community.pk, **extra},
                                content_type="application/json", **api(user).headers)


def test_a_resident_lists_herself_and_staff_find_her_by_field_and_invite_her(api, community, resident, staff, make_task):
    assert _list(api, resident, community).status_code == 200
    found = api().get("talents", {"field": "绘本"}).json()["items"]
    assert [(t["user_id"], t["fields"]) for t in found] == [(resident.pk, ["绘本", "英语伴读"])]
    assert api().get("talents", {"field": "手作"}).json()["count"] == 0
    task = make_task(title="亲子绘本共读")
    invited = api(staff).post(f"talents/{resident.pk}/invitations", {"task_id": task.pk, "note": "欢迎来讲"})
    assert invited.status_code == 201
    assert "亲子绘本共读" in Notification.objects.get(user=resident, kind="talent_invitation").message
    assert error_of(api(staff).post(f"talents/{resident.pk}/invitations", {"task_id": task.pk})) == (409, "already_invited")


def test_a_bio_with_script_is_refused_and_nothing_written(api, community, resident):
    response = _list(api, resident, community, bio="<script>alert(1)</script>")
    assert error_of(response) == (400, "script_not_allowed")
    assert not Talent.objects.exists()


def test_a_resident_cannot_invite_and_unlisting_removes_her(api, community, resident, volunteer, make_task):
    _list(api, resident, community)
    assert error_of(api(volunteer).post(f"talents/{resident.pk}/invitations", {"task_id": make_task().pk})) == (403, "not_staff")
    assert api(resident).client.delete("/api/v1/me/talent", **api(resident).headers).status_code == 204
    assert api().get("talents").json()["count"] == 0


def test_staff_file_a_community_group_with_its_leader_and_it_is_verified(api, community, staff, outsider):
    group = OrganizationFactory(community=community, name="咖啡研习社", kind=Organization.Kind.COMMUNITY_GROUP, status=Organization.Status.PENDING)
    leader = OrganizationMemberFactory(organization=group, role=OrganizationMember.Role.ADMIN).user
    assert error_of(api(staff).post(f"organizations/{group.pk}/filing", {"leader_id": outsider.pk})) == (400, "leader_not_member")
    filed = api(staff).post(f"organizations/{group.pk}/filing", {"leader_id": leader.pk, "note": "原集社区发展中心孵化"})
    assert filed.status_code == 201 and filed.json()["status"] == "verified" and filed.json()["leader_id"] == leader.pk
    assert [g["name"] for g in api().get("community-groups", {"community": community.pk}).json()["items"]] == ["咖啡研习社"]
    assert error_of(api(staff).post(f"organizations/{group.pk}/filing", {"leader_id": leader.pk})) == (409, "already_filed")


def test_an_annual_report_is_filed_reviewed_and_a_future_year_refused(api, community, staff, org_admin):
    org = org_admin.organization_memberships.get().organization
    year = timezone.localdate().year
    assert error_of(api(org_admin).post(f"organizations/{org.pk}/annual-reports", {"year": year, "summary": "x", "income": 1, "spending": 1})) == (
        400, "future_year")
    assert not AnnualReport.objects.exists()
    filed = api(org_admin).post(f"organizations/{org.pk}/annual-reports", {"year": year - 1, "summary": "服务老人 1200 人次", "income": 50_000_00,
                                                                            "spending": 42_000_00})
    assert filed.status_code == 201 and filed.json()["status"] == "filed"
    back = api(staff).post(f"annual-reports/{filed.json()['id']}/review", {"passed": False, "note": "支出明细缺失"})
    assert back.json()["status"] == "needs_correction" and back.json()["review_note"] == "支出明细缺失"
    again = api(org_admin).post(f"organizations/{org.pk}/annual-reports", {"year": year - 1, "summary": "补充了明细", "income": 50_000_00,
                                                                           "spending": 42_000_00})
    assert again.json()["status"] == "filed"
    assert api(staff).post(f"annual-reports/{filed.json()['id']}/review", {"passed": True}).json()["status"] == "passed"
    assert error_of(api(org_admin).post(f"annual-reports/{filed.json()['id']}/review", {"passed": True})) == (403, "not_staff")


def test_an_organisation_without_its_overdue_report_may_not_bid(api, community, staff, org_admin):
    org = org_admin.organization_memberships.get().organization
    due = annual_reports.due_year()
    Organization.objects.filter(pk=org.pk).update(created_at=timezone.now().replace(year=due - 1))
    project = project_create(actor=staff, community=community, title="社区养老服务", description="d", budget=100_000_00, currency="cny",
                             bid_deadline=timezone.now() + timedelta(days=10))
    body = {"organization_id": org.pk, "amount": 90_000_00, "proposal": "方案"}
    assert error_of(api(org_admin).post(f"projects/{project.pk}/bids", body)) == (409, "annual_report_missing")
    AnnualReport.objects.create(organization=org, year=due, summary="s", income=0, spending=0, filed_by=org_admin, filed_at=timezone.now())
    assert api(org_admin).post(f"projects/{project.pk}/bids", body).status_code == 201

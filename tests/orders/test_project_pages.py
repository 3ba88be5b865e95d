"""A funded project through the pages, from publication to completion and review."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import OrganizationMember
from marketplace.models import Project
from orders.models import Bid, Contract, Milestone, Review
from tests.conftest import browser
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_project_goes_from_publication_to_a_review_in_pages(community, staff):
    org = OrganizationFactory(status="verified", community=community, name="重庆暖洋洋社会工作服务中心")
    admin = UserFactory(username="nuanyangyang")
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    boss, bidder = browser(staff), browser(admin)
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = boss.post(
        f"/projects/new/{community.pk}/",
        {"title": "青少年课后托管项目", "budget_yuan": "50000", "bid_deadline": deadline, "criteria": "服务方案 40\n经验 30\n报价 30"},
    )
    project = Project.objects.get()
    assert response.status_code == 302 and project.budget == 5_000_000
    bidder.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "48000", "proposal": "每周五天课后辅导"})
    bid = Bid.objects.get()
    assert bid.amount == 4_800_000
    assert "每周五天课后辅导" not in boss.get(f"/projects/{project.pk}/").content.decode()  # sealed for staff
    assert "每周五天课后辅导" in bidder.get(f"/projects/{project.pk}/").content.decode()  # but not for its bidder
    with time_machine.travel(project.bid_deadline + timedelta(hours=1)):
        page = boss.get(f"/projects/{project.pk}/").content.decode()
        assert "每周五天课后辅导" in page
        criteria = list(project.criteria.all())
        boss.post(f"/projects/bids/{bid.pk}/score/", {f"c{c.pk}": "80" for c in criteria})
        boss.post(f"/projects/{project.pk}/award/", {"bid": bid.pk, "reason": "方案完整"})
        contract = Contract.objects.get()
        boss.post(f"/projects/contracts/{contract.pk}/milestones/", {"milestones": "上半年 | 2027-06-30 | 20000\n下半年 | 2027-12-31 | 28000"})
        assert Milestone.objects.count() == 2
        for m in Milestone.objects.all():
            bidder.post(f"/projects/milestones/{m.pk}/submit/", {"evidence": "签到表与照片"})
            boss.post(f"/projects/milestones/{m.pk}/accept/")
        boss.post(f"/projects/contracts/{contract.pk}/review/", {"stars": "5", "comment": "家长满意"})
        public_response = browser().get(f"/projects/{project.pk}/")
        public = public_response.content.decode()
        assert public_response.status_code == 200, public[:3000]
    project.refresh_from_db()
    assert project.status == "completed" and Review.objects.get().stars == 5
    main = public.split("<main")[1].split("</main>")[0]
    assert "重庆暖洋洋社会工作服务中心" in main and "48,000.00" in main, main


def test_milestones_that_do_not_add_up_are_explained(community, staff):
    from orders.services import bid_submit, project_award

    org = OrganizationFactory(status="verified", community=community)
    admin = UserFactory()
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    from marketplace.services import project_create

    project = project_create(actor=staff, community=community, title="t", budget=10000, bid_deadline=timezone.now() + timedelta(days=1))
    bid = bid_submit(actor=admin, project=project, organization=org, amount=10000, proposal="p")
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        project_award(actor=staff, project=project, bid=bid, reason="r")
        response = browser(staff, language="en").post(
            f"/projects/contracts/{Contract.objects.get().pk}/milestones/", {"milestones": "a | 2027-01-01 | 50"}, follow=True
        )
    assert "add up to" in response.content.decode()
    assert not Milestone.objects.exists()


def test_residents_cannot_open_the_project_form(community, resident):
    assert browser(resident).get(f"/projects/new/{community.pk}/").status_code == 403

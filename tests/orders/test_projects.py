"""Funded projects: sealed bids, evaluation, award, milestones, completion and review (API and services)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import OrganizationMember
from marketplace.models import Project
from orders.models import Bid, Contract, Milestone, Review
from tests.conftest import error_of
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL = "每周两次上门探访独居老人，配备持证社工"


def deadline_in(days=3):
    return (timezone.localtime() + timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def project(api, staff, community):
    body = {"community_id": community.pk, "title": "独居老人关爱项目", "description": "一年期", "budget": 5_000_000, "currency": "cny",
            "bid_deadline": deadline_in().isoformat()}
    response = api(staff).post("projects", body)
    assert response.status_code == 201
    return Project.objects.get(pk=response.json()["id"])


def bidder(community, name, status="verified"):
    org = OrganizationFactory(status=status, community=community, name=name)
    admin = UserFactory(username=f"admin_{org.pk}")
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    return org, admin


def test_staff_publish_a_project_open_for_bids_with_default_criteria(project):
    assert project.status == "open"
    assert [(c.name, c.weight) for c in project.criteria.all()] == [("服务方案", 40), ("经验与团队", 30), ("报价", 30)]


def test_criteria_weights_must_sum_to_100(api, staff, community):
    body = {"community_id": community.pk, "title": "x", "budget": 100, "bid_deadline": deadline_in().isoformat(),
            "criteria": [{"name": "方案", "weight": 50}, {"name": "价格", "weight": 40}]}
    assert error_of(api(staff).post("projects", body)) == (400, "invalid_criteria")
    assert not Project.objects.exists()


def test_a_resident_cannot_publish_projects(api, resident, community):
    body = {"community_id": community.pk, "title": "x", "budget": 100, "bid_deadline": deadline_in().isoformat()}
    assert error_of(api(resident).post("projects", body)) == (403, "permission_denied")


def test_bids_are_sealed_until_the_deadline_everywhere(api, project, community, staff, superuser):
    from tests.conftest import browser

    org_a, admin_a = bidder(community, "甲社工机构")
    org_b, admin_b = bidder(community, "乙社会组织")
    bid_a = api(admin_a).post(f"projects/{project.pk}/bids", {"organization_id": org_a.pk, "amount": 4_800_000, "proposal": PROPOSAL})
    assert bid_a.status_code == 201
    api(admin_b).post(f"projects/{project.pk}/bids", {"organization_id": org_b.pk, "amount": 4_500_000, "proposal": "乙方的秘密方案"})
    secret_a, secret_b = PROPOSAL, "乙方的秘密方案"
    # The other bidder, staff and even the district admin see no content before the deadline.
    for viewer, must_not_see in [(admin_b, secret_a), (staff, secret_a), (staff, secret_b), (superuser, secret_a)]:
        for path in (f"projects/{project.pk}/bids", f"projects/{project.pk}", f"bids/{bid_a.json()['id']}/withdraw"):
            response = api(viewer).get(path) if "withdraw" not in path else api(viewer).post(path)
            assert must_not_see not in response.content.decode(), (viewer, path)
        for page in (f"/projects/{project.pk}/", "/projects/"):
            response = browser(viewer).get(page)
            assert response.status_code == 200, page
            assert must_not_see not in response.content.decode(), (viewer, page)
    assert "4800000" not in api(staff).get(f"projects/{project.pk}").content.decode()
    assert api(staff).get(f"projects/{project.pk}").json()["bid_count"] == 2  # staff may know how many
    assert [b["proposal"] for b in api(admin_a).get(f"projects/{project.pk}/bids").json()["items"]] == [secret_a]
    assert error_of(api(staff).get(f"projects/{project.pk}/ranking")) == (403, "bidding_not_closed")
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        assert api(staff).get(f"projects/{project.pk}/bids").json()["count"] == 2
        assert api(admin_b).get(f"projects/{project.pk}/bids").json()["count"] == 1  # still only their own


def test_the_admin_list_does_not_show_sealed_bids(project, community, superuser):
    from tests.conftest import browser

    org, admin = bidder(community, "丙机构")
    from orders.services import bid_submit

    bid = bid_submit(actor=admin, project=project, organization=org, amount=1000, proposal="丙方的秘密方案")
    listing = browser(superuser).get("/admin/orders/bid/")
    assert listing.status_code == 200 and "丙方的秘密方案" not in listing.content.decode()
    assert browser(superuser).get(f"/admin/orders/bid/{bid.pk}/change/").status_code in (302, 404)  # not even by address
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        assert "丙机构" in browser(superuser).get("/admin/orders/bid/").content.decode()


@pytest.mark.parametrize(
    "status, amount, code, http",
    [("pending", 1000, "organization_not_verified", 403), ("suspended", 1000, "organization_not_verified", 403),
     ("verified", 5_000_001, "amount_above_budget", 400), ("verified", 0, "invalid_amount", 400)],
)
def test_bad_bids_are_refused_and_write_nothing(api, project, community, status, amount, code, http):
    org, admin = bidder(community, "某机构", status=status)
    response = api(admin).post(f"projects/{project.pk}/bids", {"organization_id": org.pk, "amount": amount, "proposal": PROPOSAL})
    assert error_of(response) == (http, code)
    assert not Bid.objects.exists()


def test_one_bid_per_organisation_and_none_after_the_deadline(api, project, community):
    org, admin = bidder(community, "甲机构")
    body = {"organization_id": org.pk, "amount": 1000, "proposal": PROPOSAL}
    assert api(admin).post(f"projects/{project.pk}/bids", body).status_code == 201
    assert error_of(api(admin).post(f"projects/{project.pk}/bids", body)) == (409, "already_bid")
    other, other_admin = bidder(community, "迟到机构")
    with time_machine.travel(project.bid_deadline + timedelta(seconds=1)):
        late = api(other_admin).post(f"projects/{project.pk}/bids", {**body, "organization_id": other.pk})
        assert error_of(late) == (409, "bid_deadline_passed")
    assert Bid.objects.count() == 1


def test_a_plain_member_cannot_bid_for_the_organisation(api, project, community, volunteer):
    org, _admin = bidder(community, "甲机构")
    OrganizationMember.objects.create(organization=org, user=volunteer, role="member")
    response = api(volunteer).post(f"projects/{project.pk}/bids", {"organization_id": org.pk, "amount": 1000, "proposal": PROPOSAL})
    assert error_of(response) == (403, "not_org_admin")


def test_a_bid_is_revised_or_withdrawn_only_before_the_deadline(api, project, community):
    org, admin = bidder(community, "甲机构")
    bid_id = api(admin).post(f"projects/{project.pk}/bids", {"organization_id": org.pk, "amount": 1000, "proposal": PROPOSAL}).json()["id"]
    revised = api(admin).client.put(
        f"/api/v1/bids/{bid_id}", '{"amount": 900, "proposal": "修改后的方案"}', content_type="application/json", **api(admin).headers
    )
    assert revised.status_code == 200 and revised.json()["amount"] == 900
    with time_machine.travel(project.bid_deadline + timedelta(seconds=1)):
        assert error_of(api(admin).post(f"bids/{bid_id}/withdraw")) == (409, "bid_deadline_passed")
    assert api(admin).post(f"bids/{bid_id}/withdraw").json()["status"] == "withdrawn"


def test_award_before_the_deadline_or_of_a_withdrawn_bid_is_refused(api, project, community, staff):
    org, admin = bidder(community, "甲机构")
    bid_id = api(admin).post(f"projects/{project.pk}/bids", {"organization_id": org.pk, "amount": 1000, "proposal": PROPOSAL}).json()["id"]
    assert error_of(api(staff).post(f"projects/{project.pk}/award", {"bid_id": bid_id})) == (409, "bidding_not_closed")
    api(admin).post(f"bids/{bid_id}/withdraw")
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        assert error_of(api(staff).post(f"projects/{project.pk}/award", {"bid_id": bid_id})) == (409, "invalid_bid")
    assert not Contract.objects.exists()


def test_a_project_from_publication_to_completion_and_review(api, project, community, staff, django_capture_on_commit_callbacks):
    org_a, admin_a = bidder(community, "重庆暖洋洋社会工作服务中心")
    org_b, admin_b = bidder(community, "原集社区发展中心")
    bid_a = api(admin_a).post(f"projects/{project.pk}/bids", {"organization_id": org_a.pk, "amount": 4_800_000, "proposal": PROPOSAL}).json()
    bid_b = api(admin_b).post(f"projects/{project.pk}/bids", {"organization_id": org_b.pk, "amount": 4_200_000, "proposal": "方案乙"}).json()
    other_staff = MembershipFactory(community=community, role="staff").user
    criteria = list(project.criteria.values_list("pk", flat=True))
    with time_machine.travel(project.bid_deadline + timedelta(hours=1)):
        # Two staff score; the average of their weighted totals ranks the bids.
        api(staff).post(f"bids/{bid_a['id']}/scores", {"scores": dict(zip(map(str, criteria), [90, 80, 60]))})
        api(other_staff).post(f"bids/{bid_a['id']}/scores", {"scores": dict(zip(map(str, criteria), [80, 80, 60]))})
        ranking = api(staff).post(f"bids/{bid_b['id']}/scores", {"scores": dict(zip(map(str, criteria), [60, 50, 90]))}).json()
        assert [(r["bid_id"], r["score"]) for r in ranking] == [(bid_a["id"], "76.00"), (bid_b["id"], "66.00")]
        assert Project.objects.get().status == "evaluating"
        with django_capture_on_commit_callbacks(execute=True):
            contract = api(staff).post(f"projects/{project.pk}/award", {"bid_id": bid_a["id"], "reason": "方案最优，经验丰富"}).json()
        assert contract["amount"] == 4_800_000 and contract["organization_id"] == org_a.pk
        assert Bid.objects.get(pk=bid_b["id"]).status == "lost"
        assert admin_b.notifications.get().kind == "bid_result" and admin_a.notifications.get().kind == "bid_result"
        public = api().get(f"projects/{project.pk}").json()
        assert public["award"] == {"organization_id": org_a.pk, "organization": org_a.name, "amount": 4_800_000, "reason": "方案最优，经验丰富"}
        milestones = {"milestones": [
            {"deliverable": "第一季度探访报告", "due_date": "2027-03-31", "amount": 2_000_000},
            {"deliverable": "全年总结与评估", "due_date": "2027-12-31", "amount": 2_000_000},
        ]}
        bad = api(staff).client.put(f"/api/v1/contracts/{contract['id']}/milestones", __import__("json").dumps(milestones), content_type="application/json", **api(staff).headers)
        assert error_of(bad) == (400, "milestones_do_not_sum")
        milestones["milestones"][1]["amount"] = 2_800_000
        ok = api(staff).client.put(f"/api/v1/contracts/{contract['id']}/milestones", __import__("json").dumps(milestones), content_type="application/json", **api(staff).headers)
        assert ok.status_code == 200 and Project.objects.get().status == "delivering"
        for m in ok.json()["milestones"]:
            assert api(admin_a).post(f"milestones/{m['id']}/submit", {"evidence": "探访记录 120 份"}).json()["status"] == "submitted"
            assert api(staff).post(f"milestones/{m['id']}/accept").json()["status"] == "accepted"
        assert error_of(api(staff).post(f"milestones/{m['id']}/accept")) == (409, "invalid_transition")  # twice
        assert Project.objects.get().status == "completed"
        review = api(staff).post(f"contracts/{contract['id']}/review", {"stars": 5, "comment": "服务扎实"})
        assert review.status_code == 201
        assert error_of(api(staff).post(f"contracts/{contract['id']}/review", {"stars": 4})) == (409, "already_reviewed")
    assert Review.objects.get().organization == org_a
    assert api().get(f"organizations/{org_a.pk}/reputation").json()["reviews"] == 1
    assert Milestone.objects.filter(status="accepted").count() == 2


def test_the_awarded_organisation_posts_tasks_that_volunteers_claim(api, project, community, staff, volunteer):
    from orders.services import bid_submit, contract_set_milestones, project_award

    org, admin = bidder(community, "甲机构")
    bid = bid_submit(actor=admin, project=project, organization=org, amount=1000, proposal=PROPOSAL)
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        contract = project_award(actor=staff, project=project, bid=bid, reason="唯一投标")
        contract_set_milestones(actor=staff, contract=contract, items=[("全年服务", (timezone.now() + timedelta(days=300)).date(), 1000)])
    body = {"title": "项目志愿者：陪老人散步", "category": "elder_care", "starts_at": (timezone.localtime() + timedelta(days=5)).isoformat(),
            "ends_at": (timezone.localtime() + timedelta(days=5, hours=1)).isoformat(), "location": "社区公园", "slots": 2, "points": 5}
    task = api(admin).post(f"contracts/{contract.pk}/tasks", body)
    assert task.status_code == 201
    assert api(volunteer).post(f"tasks/{task.json()['id']}/claims").status_code == 201
    assert api().get(f"projects/{project.pk}/contract").json()["task_ids"] == [task.json()["id"]]
    assert error_of(api(volunteer).post(f"contracts/{contract.pk}/tasks", body)) == (403, "permission_denied")


def test_the_track_record_as_a_criterion_is_scored_from_what_the_organisation_delivered(api, staff, community, volunteer, resident):
    """#22: a project may weigh the bidder's track record; its score is computed (never typed) from
    services confirmed by the people served, ratings and completed contracts."""
    from orders.models import Claim
    from tests.conftest import browser

    body = {"community_id": community.pk, "title": "独居老人关爱项目", "budget": 5_000_000, "bid_deadline": deadline_in().isoformat(),
            "criteria": [{"name": "服务方案", "weight": 60}, {"name": "过往服务记录", "weight": 40, "kind": "track_record"}]}
    twice = {**body, "criteria": [{"name": "甲", "weight": 50, "kind": "track_record"}, {"name": "乙", "weight": 50, "kind": "track_record"}]}
    assert error_of(api(staff).post("projects", twice)) == (400, "invalid_criteria")
    created = api(staff).post("projects", body).json()
    assert [c["kind"] for c in created["criteria"]] == ["scored", "track_record"]
    scored, track = (c["id"] for c in created["criteria"])
    seasoned, seasoned_admin = bidder(community, "重庆暖洋洋社会工作服务中心")
    newcomer, newcomer_admin = bidder(community, "新成立的志愿者协会")
    # What the seasoned one delivered: 12 services confirmed by the people served, rated 4.5★ on average, 1 contract completed.
    from marketplace.services import TaskFields, task_create

    start = timezone.now() - timedelta(days=30)
    with time_machine.travel(start - timedelta(days=1)):
        done = task_create(actor=staff, community=community, fields=TaskFields(
            title="陪伴", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=1), location="3 栋",
            slots=20, points=0, skills=[], beneficiary=resident))
    people = [MembershipFactory(community=community, role="volunteer").user for _ in range(12)]
    claims = [Claim.objects.create(task=done, user=p, organization=seasoned, status="verified", confirmed_at=start) for p in people]
    Review.objects.create(claim=claims[0], organization=seasoned, author=resident, stars=5)
    Review.objects.create(claim=claims[1], organization=seasoned, author=resident, stars=4)
    old = Project.objects.create(community=community, title="旧项目", budget=1, bid_deadline=start, status="completed", created_by=staff)
    old_bid = Bid.objects.create(project=old, organization=seasoned, submitted_by=seasoned_admin, amount=1, proposal="旧方案", status="won")
    Contract.objects.create(project=old, bid=old_bid, organization=seasoned, amount=1, status="completed")
    bids = {}
    for org, admin in ((seasoned, seasoned_admin), (newcomer, newcomer_admin)):
        bids[org.pk] = api(admin).post(f"projects/{created['id']}/bids", {"organization_id": org.pk, "amount": 4_000_000, "proposal": PROPOSAL}).json()["id"]
    project = Project.objects.get(pk=created["id"])
    with time_machine.travel(project.bid_deadline + timedelta(hours=1)):
        # Staff type the scored criterion only; a number sent for the track record is not taken.
        api(staff).post(f"bids/{bids[seasoned.pk]}/scores", {"scores": {str(scored): 80, str(track): 0}})
        ranking = api(staff).post(f"bids/{bids[newcomer.pk]}/scores", {"scores": {str(scored): 80}}).json()
        # Seasoned: 12 (services) + 10 (a contract) + 27 (4.5★ × 6) = 49 → 80 × 0.6 + 49 × 0.4 = 67.60; newcomer: 48.00.
        assert [(r["bid_id"], r["score"]) for r in ranking] == [(bids[seasoned.pk], "67.60"), (bids[newcomer.pk], "48.00")]
        assert error_of(api(staff).post(f"bids/{bids[newcomer.pk]}/scores", {"scores": {str(track): 90}})) == (400, "invalid_scores")
        page = browser(staff, language="en").get(f"/projects/{project.pk}/").content.decode()
    assert "as a criterion: 49/100 (services 12/40, contracts 10/30, ratings 27/30)" in page
    assert f'name="c{track}"' not in page and f'name="c{scored}"' in page  # nothing to type for the track record

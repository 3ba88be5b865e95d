"""Participatory budgets through the API, with every bad input of issue #34: each answered with its
code, nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from affairs.models import SpendingLine
from budgets.models import Ballot, Budget, BudgetChange, Proposal
from marketplace.models import Project
from tests.budgets.conftest import YUAN, end_voting, open_voting
from tests.conftest import error_of
from tests.factories import MembershipFactory, StreetFactory

pytestmark = pytest.mark.django_db


def _budget_body(community, **overrides):
    now = timezone.now()
    return {"community_id": community.pk, "title": "民生实事", "amount": 50_000 * YUAN, "voting_opens": (now + timedelta(days=3)).isoformat(),
            "voting_closes": (now + timedelta(days=10)).isoformat(), "max_choices": 3, **overrides}


def test_staff_open_a_budget_and_anyone_reads_it(api, staff, community):
    response = api(staff).post("budgets", _budget_body(community))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposing" and body["amount"] == 5_000_000 and body["currency"] == "cny"
    assert api().get("budgets", {"community": community.pk}).json()["count"] == 1
    assert BudgetChange.objects.filter(budget_id=body["id"], action="opened", actor=staff).exists()


def test_only_staff_of_the_community_or_the_district_admin_for_a_street_open_a_budget(api, other_staff, resident, staff, superuser, community):
    assert error_of(api(other_staff).post("budgets", _budget_body(community))) == (403, "permission_denied")
    assert error_of(api(resident).post("budgets", _budget_body(community))) == (403, "permission_denied")
    street_body = _budget_body(community, community_id=None, street_id=community.street_id)
    assert error_of(api(staff).post("budgets", street_body)) == (403, "permission_denied")
    assert api(superuser).post("budgets", street_body).status_code == 201
    assert Budget.objects.count() == 1


@pytest.mark.parametrize("overrides, code", [
    ({"amount": -5}, "invalid_amount"),
    ({"amount": 0}, "invalid_amount"),
    ({"max_choices": 0}, "invalid_max_choices"),
    ({"voting_closes": "2020-01-01T00:00:00+08:00", "voting_opens": "2019-01-01T00:00:00+08:00"}, "invalid_dates"),
    ({"street_id": "the community's street"}, "invalid_area"),
])
def test_a_budget_with_bad_rules_is_refused(api, staff, community, overrides, code):
    if "street_id" in overrides:
        overrides = {"street_id": StreetFactory().pk}  # a street and a community both: which one?
    assert error_of(api(staff).post("budgets", _budget_body(community, **overrides))) == (400, code)
    assert Budget.objects.count() == 0


def test_a_proposal_with_a_negative_cost_is_refused(api, resident, budget):
    response = api(resident).post(f"budgets/{budget.pk}/proposals", {"title": "加装电梯", "text": "3 栋", "cost": -100})
    assert error_of(response) == (400, "invalid_cost")
    assert Proposal.objects.count() == 0


def test_residents_propose_and_staff_say_why_a_proposal_is_not_feasible(api, resident, staff, outsider, budget):
    assert error_of(api(outsider).post(f"budgets/{budget.pk}/proposals", {"title": "x", "text": "y", "cost": 100})) == (403, "not_a_member")
    proposal = api(resident).post(f"budgets/{budget.pk}/proposals", {"title": "老年食堂", "text": "每天午餐", "cost": 12_000 * YUAN}).json()
    assert proposal["status"] == "submitted"
    assert error_of(api(staff).post(f"proposals/{proposal['id']}/review", {"feasible": False})) == (400, "required")
    reviewed = api(staff).post(f"proposals/{proposal['id']}/review", {"feasible": False, "reason": "已由区里统一建设"}).json()
    assert reviewed["status"] == "infeasible" and reviewed["review_reason"] == "已由区里统一建设"
    listed = api().get(f"budgets/{budget.pk}/proposals").json()
    assert listed["items"][0]["review_reason"] == "已由区里统一建设" and listed["items"][0]["votes"] is None


def test_the_rules_are_locked_once_voting_opens(api, staff, resident, budget, propose):
    proposal = propose("社区花园", 8_000)
    open_voting(budget)
    rules = {"title": "改了", "amount": 1, "voting_opens": budget.voting_opens.isoformat(), "voting_closes": budget.voting_closes.isoformat()}
    assert error_of(api(staff)._call("put", f"budgets/{budget.pk}", rules)) == (409, "budget_locked")
    assert error_of(api(staff).post(f"proposals/{proposal.pk}/review", {"feasible": False, "reason": "x"})) == (409, "budget_locked")
    late = api(resident).post(f"budgets/{budget.pk}/proposals", {"title": "晚了", "text": "x", "cost": 100})
    assert error_of(late) == (409, "proposals_closed")
    budget.refresh_from_db()
    assert budget.amount == 5_000_000 and Proposal.objects.get(pk=proposal.pk).status == "feasible" and Proposal.objects.count() == 1


def test_a_resident_votes_once_online_or_on_paper_and_never_both(api, staff, resident, budget, propose):
    garden, canteen = propose("社区花园", 8_000), propose("老年食堂", 12_000)
    open_voting(budget)
    ballot = api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk, canteen.pk]})
    assert ballot.status_code == 201 and ballot.json()["channel"] == "online"
    assert error_of(api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})) == (409, "already_voted")
    paper = api(staff).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk], "on_behalf_of": resident.pk})
    assert error_of(paper) == (409, "already_voted")
    assert Ballot.objects.count() == 1
    assert api(resident).get(f"budgets/{budget.pk}/ballots/mine").json()["proposal_ids"] == sorted([garden.pk, canteen.pk])


def test_a_paper_ballot_is_recorded_as_entered_on_the_residents_behalf(api, staff, resident, budget, propose):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    paper = api(staff).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk], "on_behalf_of": resident.pk}).json()
    assert paper["channel"] == "paper" and paper["voter_id"] == resident.pk and paper["entered_by_id"] == staff.pk
    assert error_of(api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})) == (409, "already_voted")


def test_a_resident_may_not_enter_a_ballot_for_someone_else(api, resident, budget, propose, residents):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    other = residents(1)[0]
    assert error_of(api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk], "on_behalf_of": other.pk})) == (
        403, "permission_denied")
    assert Ballot.objects.count() == 0


def test_a_ballot_over_the_amount_or_the_maximum_or_with_a_project_not_on_the_ballot_is_refused(api, resident, budget, propose):
    Budget.objects.filter(pk=budget.pk).update(max_choices=2)
    budget.refresh_from_db()
    big, garden, canteen, light = propose("改造老旧小区", 40_000), propose("社区花园", 8_000), propose("老年食堂", 12_000), propose("路灯", 1_000)
    refused = propose("修地铁", 30_000, feasible=False)
    open_voting(budget)
    url = f"budgets/{budget.pk}/ballots"
    assert error_of(api(resident).post(url, {"proposal_ids": [big.pk, canteen.pk]})) == (400, "over_budget")
    assert error_of(api(resident).post(url, {"proposal_ids": [garden.pk, canteen.pk, light.pk]})) == (400, "too_many_choices")
    assert error_of(api(resident).post(url, {"proposal_ids": [refused.pk]})) == (400, "invalid_choice")
    assert error_of(api(resident).post(url, {"proposal_ids": []})) == (400, "invalid_choice")
    assert Ballot.objects.count() == 0


def test_before_voting_opens_and_after_it_closes_no_ballot_is_taken(api, staff, resident, budget, propose):
    garden = propose("社区花园", 8_000)
    assert error_of(api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})) == (409, "voting_not_open")
    open_voting(budget)
    assert api(staff).post(f"budgets/{budget.pk}/close").status_code == 200
    assert error_of(api(resident).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})) == (409, "voting_closed")
    assert Ballot.objects.count() == 0


def test_a_person_who_is_not_a_resident_of_the_area_does_not_vote(api, volunteer, outsider, budget, propose):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    for person in (volunteer, outsider):
        assert error_of(api(person).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})) == (403, "not_a_resident")


def test_the_close_takes_winners_by_votes_while_they_fit_and_shows_every_count(api, staff, budget, propose, residents):
    renovate, canteen, garden = propose("改造老旧小区", 40_000), propose("老年食堂", 15_000), propose("社区花园", 8_000)
    propose("修地铁", 30_000, feasible=False)
    open_voting(budget)
    people = residents(5)
    votes = [[renovate], [renovate, garden], [renovate, garden], [canteen], [canteen, garden]]
    for person, chosen in zip(people[:3], votes[:3], strict=True):
        assert api(person).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [p.pk for p in chosen]}).status_code == 201
    for person, chosen in zip(people[3:], votes[3:], strict=True):
        body = {"proposal_ids": [p.pk for p in chosen], "on_behalf_of": person.pk}
        assert api(staff).post(f"budgets/{budget.pk}/ballots", body).status_code == 201
    assert error_of(api().get(f"budgets/{budget.pk}/results")) == (409, "not_closed")
    end_voting(budget)
    closed = api(staff).post(f"budgets/{budget.pk}/close").json()
    # Votes: 改造 3, 花园 3, 食堂 2. 花园 (cheaper) first, then 改造 (48,000 ≤ 50,000); 食堂 no longer fits.
    assert [w["title"] for w in closed["winners"]] == ["社区花园", "改造老旧小区"]
    results = api().get(f"budgets/{budget.pk}/results").json()
    assert results["ballots"] == {"online": 3, "paper": 2, "total": 5}
    rows = {r["title"]: r for r in results["items"]}
    assert (rows["社区花园"]["votes_online"], rows["社区花园"]["votes_paper"], rows["社区花园"]["votes"]) == (2, 1, 3)
    assert rows["老年食堂"]["outcome"] == "no_room" and rows["修地铁"]["outcome"] == "not_on_ballot"
    assert api(staff).post(f"budgets/{budget.pk}/close").json()["winners"] == closed["winners"]  # a retry changes nothing


def test_a_winner_becomes_a_funded_project_and_its_spending_shows_on_the_public_funds_page(api, staff, budget, propose, residents):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    api(residents(1)[0]).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [garden.pk]})
    api(staff).post(f"budgets/{budget.pk}/close")
    deadline = (timezone.now() + timedelta(days=20)).isoformat()
    funded = api(staff).post(f"proposals/{garden.pk}/fund", {"bid_deadline": deadline})
    assert funded.status_code == 201, funded.content
    project = Project.objects.get(pk=funded.json()["project_id"])
    assert project.title == "社区花园" and project.budget == 800_000
    budget.refresh_from_db()
    fund = api().get(f"public/funds/{budget.fund_id}").json()
    assert fund["source"] == "government" and fund["amount"] == 5_000_000 and fund["spent"] == 800_000
    assert fund["spending"][0]["project_id"] == project.pk
    assert error_of(api(staff).post(f"proposals/{garden.pk}/fund", {"bid_deadline": deadline})) == (409, "already_funded")
    assert SpendingLine.objects.count() == 1 and Project.objects.count() == 1


def test_a_project_that_did_not_win_cannot_be_funded(api, staff, budget, propose):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    api(staff).post(f"budgets/{budget.pk}/close")
    deadline = (timezone.now() + timedelta(days=20)).isoformat()
    assert error_of(api(staff).post(f"proposals/{garden.pk}/fund", {"bid_deadline": deadline})) == (409, "not_a_winner")


def test_a_street_budget_is_voted_by_residents_of_all_its_communities(api, superuser, community, other_community):
    body = _budget_body(community, community_id=None, street_id=community.street_id, max_choices=None)
    budget = Budget.objects.get(pk=api(superuser).post("budgets", body).json()["id"])
    neighbour = MembershipFactory(community=other_community, role=Membership.Role.RESIDENT).user
    proposal = api(neighbour).post(f"budgets/{budget.pk}/proposals", {"title": "街道书屋", "text": "x", "cost": 100}).json()
    api(superuser).post(f"proposals/{proposal['id']}/review", {"feasible": True})
    open_voting(budget)
    assert api(neighbour).post(f"budgets/{budget.pk}/ballots", {"proposal_ids": [proposal["id"]]}).status_code == 201


def test_an_unknown_budget_is_a_404(api, resident):
    assert error_of(api().get("budgets/999999")) == (404, "budget_not_found")
    assert error_of(api(resident).post("budgets/999999/ballots", {"proposal_ids": [1]})) == (404, "budget_not_found")

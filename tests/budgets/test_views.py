"""The pages of participatory budgets, as a resident, staff at the desk and anyone read them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from budgets import services
from budgets.models import Ballot, Budget
from tests.budgets.conftest import open_voting
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_a_resident_votes_on_the_budget_page_and_is_told_they_are_counted(resident, budget, propose):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    page = browser(resident).get(f"/budgets/{budget.pk}/").content.decode()
    assert "社区花园" in page and 'id="ballot-form"' in page
    response = browser(resident).post(f"/budgets/{budget.pk}/vote/", {"proposal_ids": [str(garden.pk)]}, follow=True)
    assert "你的投票已计入" in response.content.decode() or "counted" in response.content.decode()
    assert Ballot.objects.get().channel == "online"
    again = browser(resident, "en").get(f"/budgets/{budget.pk}/").content.decode()
    assert "You have voted" in again and 'id="ballot-form"' not in again


def test_a_ballot_over_the_amount_on_the_page_is_refused_in_the_residents_language(resident, budget, propose):
    a, b = propose("改造老旧小区", 40_000), propose("老年食堂", 15_000)
    open_voting(budget)
    response = browser(resident, "en").post(f"/budgets/{budget.pk}/vote/", {"proposal_ids": [str(a.pk), str(b.pk)]}, follow=True)
    assert "cost more than the budget" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_staff_enter_a_paper_ballot_at_the_desk_and_the_resident_is_then_refused_online(staff, resident, budget, propose):
    garden = propose("社区花园", 8_000)
    open_voting(budget)
    desk = browser(staff).get(f"/budgets/{budget.pk}/paper/").content.decode()
    assert resident.shown_name in desk
    browser(staff).post(f"/budgets/{budget.pk}/paper/", {"voter": str(resident.pk), "proposal_ids": [str(garden.pk)]})
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.entered_by_id) == ("paper", staff.pk)
    assert resident.shown_name not in browser(staff).get(f"/budgets/{budget.pk}/paper/").content.decode()  # no second entry offered
    refused = browser(resident, "en").post(f"/budgets/{budget.pk}/vote/", {"proposal_ids": [str(garden.pk)]}, follow=True).content.decode()
    assert "already voted" in refused and Ballot.objects.count() == 1


def test_a_resident_may_not_open_the_paper_ballot_desk(resident, budget):
    assert browser(resident).get(f"/budgets/{budget.pk}/paper/").status_code == 403


def test_the_results_page_shows_every_count_and_why_each_project_won_or_not(staff, budget, propose, residents):
    garden, big = propose("社区花园", 8_000), propose("改造老旧小区", 45_000)
    open_voting(budget)
    people = residents(3)
    services.ballot_cast(actor=people[0], budget=budget, proposal_ids=[garden.pk])
    services.ballot_cast(actor=people[1], budget=budget, proposal_ids=[garden.pk])
    services.ballot_cast(actor=staff, budget=budget, proposal_ids=[big.pk], on_behalf_of=people[2])
    browser(staff).post(f"/budgets/{budget.pk}/close/")
    page = browser(None, "en").get(f"/budgets/{budget.pk}/").content.decode()
    assert "3 people voted: 2 online and 1 on paper" in page
    assert "Chosen: it fitted the amount" in page and "not enough money was left" in page
    zh = browser().get(f"/budgets/{budget.pk}/").content.decode()
    assert "社区花园" in zh and 'id="results-table"' in zh


def test_staff_open_a_budget_from_the_page(staff, community):
    now = timezone.localtime()
    response = browser(staff).post(f"/budgets/new/{community.pk}/", {
        "title": "2027 民生实事", "amount_yuan": "50000", "voting_opens": (now + timedelta(days=3)).strftime("%Y-%m-%dT09:00"),
        "voting_closes": (now + timedelta(days=9)).strftime("%Y-%m-%dT18:00"), "max_choices": "3",
    })
    budget = Budget.objects.get()
    assert response.status_code == 302 and budget.amount == 5_000_000 and budget.max_choices == 3
    assert "2027 民生实事" in browser().get("/budgets/").content.decode()


def test_a_budget_with_a_negative_amount_on_the_page_is_shown_the_error(staff, community):
    page = browser(staff, "en").post(f"/budgets/new/{community.pk}/", {"title": "x", "amount_yuan": "-5", "voting_opens": "2030-01-01T09:00",
                                                                      "voting_closes": "2030-02-01T09:00"}).content.decode()
    assert "positive whole number" in page and Budget.objects.count() == 0

"""manage.py scale_data: the benchmark district is consistent, as the services would have left it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q, Sum

from accounts.models import Community, User
from marketplace.models import Task
from marketplace.search import task_grams
from orders.models import Claim
from points.models import LedgerEntry, LedgerTransaction, PointsAccount

SMALL = ["--communities", "4", "--users", "80", "--tasks", "60", "--claims", "150", "--ledger", "400", "--seed", "7"]


@pytest.fixture
def district(db):
    call_command("scale_data", *SMALL, verbosity=0)


def test_the_sizes_asked_for_are_built(district):
    assert Community.objects.count() == 4
    assert User.objects.count() == 80
    assert Task.objects.count() == 60
    assert Claim.objects.count() == 150
    assert LedgerEntry.objects.count() == 400


def test_slots_taken_counts_the_live_claims_and_never_exceeds_the_slots(district):
    tasks = Task.objects.annotate(live=Count("claims", filter=Q(claims__status__in=Claim.LIVE)))
    assert all(t.slots_taken == t.live <= t.slots for t in tasks)
    assert not Task.objects.filter(status="full").exclude(slots_taken=F("slots")).exists()


def test_the_ledger_balances_and_the_audit_passes(district):
    for tx in LedgerTransaction.objects.annotate(total=Sum("entries__amount")):
        assert tx.total == 0
    for account in PointsAccount.objects.annotate(total=Sum("entries__amount")):
        assert account.balance == (account.total or 0)
    assert not PointsAccount.objects.exclude(kind="district").filter(balance__lt=0).exists()
    call_command("points_audit", verbosity=0)  # exits 1 (SystemExit) when something is off


def test_search_finds_the_generated_tasks(district, api):
    task = Task.objects.order_by("id").first()
    assert task.search_grams == task_grams(task.title, task.description)
    found = api().get("tasks", {"q": task.title[-2:], "page_size": 100}).json()
    assert task.pk in [t["id"] for t in found["items"]]


def test_a_database_that_has_tasks_is_refused(district):
    with pytest.raises(CommandError, match="already has tasks"):
        call_command("scale_data", *SMALL, verbosity=0)


# --- --extras: the newer objects (issue #35), each as its services would have left it ----------------
@pytest.fixture
def district_with_extras(db):
    call_command("scale_data", *SMALL, "--extras", "40", verbosity=0)


def test_extras_builds_the_asked_for_number_of_each_newer_object(district_with_extras):
    from affairs.models import Policy
    from budgets.models import Ballot, Proposal
    from relief.models import Application
    from resources.models import Booking

    assert Application.objects.count() == Policy.objects.count() == Booking.objects.count() == Proposal.objects.count() == 40
    assert Ballot.objects.count() == 40  # 20 people a community: each votes once per budget


def test_extras_leave_no_two_holding_bookings_of_a_room_overlapping(district_with_extras):
    from resources.models import Booking

    holding = list(Booking.objects.filter(status__in=Booking.HOLDING).order_by("venue_id", "starts_at"))
    assert holding
    for before, after in zip(holding, holding[1:]):
        assert before.venue_id != after.venue_id or before.ends_at <= after.starts_at


def test_extras_budgets_are_counted_as_the_close_would_count_them(district_with_extras):
    from budgets.models import BallotChoice, Proposal
    from budgets.winners import Candidate, choose_winners

    for proposal in Proposal.objects.all():
        choices = BallotChoice.objects.filter(proposal=proposal)
        assert proposal.votes_online == choices.filter(ballot__channel="online").count()
        assert proposal.votes_paper == choices.filter(ballot__channel="paper").count()
    budget = Proposal.objects.filter(status="feasible").first().budget
    feasible = list(Proposal.objects.filter(budget=budget, status="feasible"))
    expected = {r.id: (r.rank, r.outcome) for r in choose_winners(budget.amount, [Candidate(p.pk, p.votes_online + p.votes_paper, p.cost) for p in feasible])}
    assert {p.pk: (p.rank, p.outcome) for p in feasible} == expected
    assert set(Proposal.objects.filter(status="infeasible").values_list("outcome", flat=True)) <= {"not_on_ballot"}


def test_extras_policies_are_found_by_the_policy_search(district_with_extras, client):
    from affairs.models import Policy

    policy = Policy.objects.order_by("-id").first()
    response = client.get("/affairs/policies/", {"q": policy.title})
    assert response.status_code == 200
    assert policy.title in response.content.decode()

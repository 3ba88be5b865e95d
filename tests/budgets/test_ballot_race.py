"""50 residents vote at once while 10 of them are also entered on paper at the same moment, with
real threads on a real database (SQLite here, PostgreSQL in the second pass): every person counted
once, whichever door won."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from budgets import services
from budgets.models import Ballot, BallotChoice
from core.errors import Conflict
from tests.budgets.conftest import open_voting
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_residents_with_ten_also_on_paper_at_the_same_moment_are_each_counted_once():
    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    people = [MembershipFactory(community=community, role=Membership.Role.RESIDENT).user for _ in range(50)]
    now = timezone.now()
    budget = services.budget_create(actor=staff, community=community, title="民生实事", amount=5_000_000,
                                    voting_opens=now + timedelta(days=1), voting_closes=now + timedelta(days=8))
    garden = services.proposal_create(actor=people[0], budget=budget, title="社区花园", text="x", cost=800_000)
    services.proposal_review(actor=staff, proposal=garden, feasible=True)
    open_voting(budget)

    def vote(i):
        if i < 50:
            return services.ballot_cast(actor=people[i], budget=budget, proposal_ids=[garden.pk])
        return services.ballot_cast(actor=staff, budget=budget, proposal_ids=[garden.pk], on_behalf_of=people[i - 50])

    results = run_in_threads(60, vote)

    written = [r for r in results if isinstance(r, Ballot)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(written) == 50 and len(refused) == 10, [r for r in results if not isinstance(r, Ballot | Conflict)]
    assert {r.code for r in refused} == {"already_voted"}
    assert Ballot.objects.filter(budget=budget).values("voter").distinct().count() == 50
    assert BallotChoice.objects.filter(proposal=garden).count() == 50
    winners = services.budget_close(actor=staff, budget=budget)
    assert winners[0].votes_online + winners[0].votes_paper == 50

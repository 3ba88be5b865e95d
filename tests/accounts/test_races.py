"""Races with real threads on a real database (SQLite file in WAL, or PostgreSQL in the second pass)."""

import pytest

from accounts import services
from accounts.models import Membership, User
from core.errors import Conflict
from tests.concurrency import run_in_threads


@pytest.mark.django_db(transaction=True)
def test_eight_people_racing_for_one_username_give_one_account():
    results = run_in_threads(8, lambda i: services.user_register(username="lucky", password="a-long-passphrase"))
    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1
    assert len(losers) == 7, results
    assert all(r.code == "username_taken" for r in losers)
    assert User.objects.filter(username="lucky").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_join_makes_one_membership():
    from tests.factories import CommunityFactory, UserFactory

    community = CommunityFactory()
    person = UserFactory()
    results = run_in_threads(6, lambda i: services.membership_join(actor=person, community=community, role="resident"))
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 5, results
    assert Membership.objects.filter(user=person).count() == 1

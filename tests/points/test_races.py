"""Races for points with real threads on a real database (SQLite WAL file; PostgreSQL in CI)."""

import pytest
from django.core.management import call_command

from accounts.models import Membership
from core.errors import Conflict
from points import services
from points.models import LedgerTransaction, Redemption, Reward
from points.selectors import person_balance
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    community = CommunityFactory()
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    admin = UserFactory(is_superuser=True)
    services.points_budget(actor=admin, community=community, amount=100_000)
    return community, staff


def test_twelve_people_racing_for_three_items_never_oversell(shop):
    community, staff = shop
    reward = services.reward_create(actor=staff, community=community, name="食用油", cost=50, stock=3)
    people = [MembershipFactory(community=community, role="resident").user for _ in range(12)]
    for i, person in enumerate(people):
        services.points_award(actor=None, community=community, user=person, amount=50, idempotency_key=f"seed:{i}")

    results = run_in_threads(12, lambda i: services.redemption_reserve(actor=people[i], reward=reward, quantity=1))

    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 3, results
    assert len(lost) == 9 and {r.code for r in lost} == {"out_of_stock"}
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert sum(person_balance(p) for p in people) == 9 * 50
    call_command("points_audit")


def test_one_persons_racing_redemptions_never_overdraw(shop):
    community, staff = shop
    reward = services.reward_create(actor=staff, community=community, name="洗衣液", cost=60, stock=100)
    person = MembershipFactory(community=community, role="resident").user
    services.points_award(actor=None, community=community, user=person, amount=100, idempotency_key="seed")

    results = run_in_threads(6, lambda i: services.redemption_reserve(actor=person, reward=reward, quantity=1))

    assert sum(isinstance(r, Redemption) for r in results) == 1, results
    assert all(r.code == "insufficient_points" for r in results if isinstance(r, Conflict))
    assert person_balance(person) == 40
    assert Reward.objects.get(pk=reward.pk).stock == 99
    call_command("points_audit")


def test_a_retried_award_from_many_threads_pays_once(shop):
    community, _staff = shop
    person = MembershipFactory(community=community, role="volunteer").user
    results = run_in_threads(
        8, lambda i: services.points_award(actor=None, community=community, user=person, amount=25, idempotency_key="claim:1:verify")
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert person_balance(person) == 25
    assert LedgerTransaction.objects.filter(idempotency_key="claim:1:verify").count() == 1


def test_crossing_transfers_neither_deadlock_nor_lose_points(shop):
    community, _staff = shop
    a, b = (MembershipFactory(community=community, role="resident").user for _ in range(2))
    for i, person in enumerate((a, b)):
        services.points_award(actor=None, community=community, user=person, amount=100, idempotency_key=f"seed:{i}")

    def move(i):
        giver, taker = (a, b) if i % 2 == 0 else (b, a)
        return services.points_transfer(actor=giver, community=community, amount=10, to_user=taker)

    results = run_in_threads(10, move)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert person_balance(a) + person_balance(b) == 200
    call_command("points_audit")

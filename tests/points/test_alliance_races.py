"""20 cross-community redemptions at once, both ways across an alliance, with real threads on a
real database (SQLite here, PostgreSQL in the second pass): stock and points exact, no deadlock
between the two directions, and the audit balanced."""

import pytest
from django.core.management import call_command

from accounts.models import Membership
from core.errors import Conflict
from points import services
from points.models import PointsAccount, Redemption, Reward
from points.selectors import person_balance
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_cross_community_redemptions_at_once_are_exact_and_balanced():
    west, east = CommunityFactory(name="锣旗寺社区"), CommunityFactory(name="东原社区")
    admin = UserFactory(is_superuser=True)
    services.alliance_create(actor=admin, community_ids=[west.pk, east.pk])
    shelves = {}
    for community in (west, east):
        staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
        services.points_budget(actor=admin, community=community, amount=10_000)
        shelves[community.pk] = services.reward_create(actor=staff, community=community, name="大米", cost=100, stock=8 if community is east else 5)
    west_people = [MembershipFactory(community=west, role=Membership.Role.VOLUNTEER).user for _ in range(6)]
    east_people = [MembershipFactory(community=east, role=Membership.Role.VOLUNTEER).user for _ in range(8)]
    for i, person in enumerate(west_people):
        services.points_award(actor=None, community=west, user=person, amount=150, idempotency_key=f"seed:w{i}")
    for i, person in enumerate(east_people):
        services.points_award(actor=None, community=east, user=person, amount=150, idempotency_key=f"seed:e{i}")

    def redeem(i):
        if i < 12:  # each west volunteer tries twice in the east: 150 points pay for one only
            return services.redemption_reserve(actor=west_people[i // 2], reward=shelves[east.pk], quantity=1)
        return services.redemption_reserve(actor=east_people[i - 12], reward=shelves[west.pk], quantity=1)  # 8 for 5 items

    results = run_in_threads(20, redeem)

    unexpected = [r for r in results if not isinstance(r, Redemption | Conflict)]
    assert not unexpected, unexpected
    west_won = [r for r in results[:12] if isinstance(r, Redemption)]
    east_won = [r for r in results[12:] if isinstance(r, Redemption)]
    assert len(west_won) == 6 and {r.code for r in results[:12] if isinstance(r, Conflict)} == {"insufficient_points"}
    assert len(east_won) == 5 and {r.code for r in results[12:] if isinstance(r, Conflict)} == {"out_of_stock"}
    assert Reward.objects.get(pk=shelves[east.pk].pk).stock == 2 and Reward.objects.get(pk=shelves[west.pk].pk).stock == 0
    assert all(person_balance(p) == 50 for p in west_people)
    assert sorted(person_balance(p) for p in east_people) == [50] * 5 + [150] * 3
    owes = PointsAccount.objects.get(kind="clearing", community=west, counterparty=east)
    assert owes.balance == 600 - 500  # west points spent in the east minus east points spent in the west
    call_command("points_audit")

"""Random sequences of budget, award, redeem, cancel, transfer and retry keep the ledger sound."""

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership
from core.errors import ApplicationError
from points import services
from points.models import LedgerTransaction, PointsAccount, Redemption, Reward
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

PEOPLE = 3

operation = st.one_of(
    st.tuples(st.just("budget"), st.integers(1, 500)),
    st.tuples(st.just("award"), st.integers(0, PEOPLE - 1), st.integers(1, 300), st.integers(0, 5)),
    st.tuples(st.just("redeem"), st.integers(0, PEOPLE - 1), st.integers(1, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("transfer"), st.integers(0, PEOPLE - 1), st.integers(0, PEOPLE - 1), st.integers(-5, 200)),
    st.tuples(st.just("give_back"), st.integers(0, PEOPLE - 1), st.integers(1, 100)),
)


class Rollback(Exception):
    pass


def check_invariants():
    negative = PointsAccount.objects.exclude(kind="district").filter(balance__lt=0)
    assert not negative.exists(), list(negative.values("kind", "balance"))
    unbalanced = LedgerTransaction.objects.annotate(total=Sum("entries__amount"), legs=Count("entries")).exclude(total=0, legs__gte=2)
    assert not unbalanced.exists()
    for account in PointsAccount.objects.annotate(total=Sum("entries__amount")):
        assert account.balance == (account.total or 0)
    assert (PointsAccount.objects.aggregate(t=Sum("balance"))["t"] or 0) == 0
    for reward in Reward.objects.all():
        held = Redemption.objects.filter(reward=reward, status__in=["reserved", "fulfilled"]).aggregate(q=Sum("quantity"))["q"] or 0
        assert reward.stock + held == 10  # every item is on the shelf or with someone


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_random_use_keeps_every_balance_and_transaction_sound(ops):
    try:
        with transaction.atomic():
            community = CommunityFactory()
            staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
            admin = UserFactory(is_superuser=True)
            people = [MembershipFactory(community=community, role="resident").user for _ in range(PEOPLE)]
            reward = services.reward_create(actor=staff, community=community, name="米", cost=40, stock=10)
            for op in ops:
                kind = op[0]
                try:
                    with transaction.atomic():
                        if kind == "budget":
                            services.points_budget(actor=admin, community=community, amount=op[1])
                        elif kind == "award":
                            # op[3] is a small key space, so retries of the same award happen often
                            before = LedgerTransaction.objects.count()
                            result = services.points_award(
                                actor=None, community=community, user=people[op[1]], amount=op[2], idempotency_key=f"award:{op[3]}"
                            )
                            if not result.created:
                                assert LedgerTransaction.objects.count() == before  # a replayed key writes nothing
                        elif kind == "redeem":
                            services.redemption_reserve(actor=people[op[1]], reward=reward, quantity=op[2])
                        elif kind == "cancel":
                            redemption = Redemption.objects.order_by("id")[op[1] : op[1] + 1].first()
                            if redemption is not None:
                                services.redemption_cancel(actor=redemption.user, redemption=redemption)
                        elif kind == "transfer":
                            services.points_transfer(actor=people[op[1]], community=community, amount=op[3], to_user=people[op[2]])
                        elif kind == "give_back":
                            services.points_transfer(actor=people[op[1]], community=community, amount=op[2], to_pool=True)
                except ApplicationError:
                    pass  # a refusal is a legal outcome; the invariants must hold either way
                check_invariants()
            raise Rollback
    except Rollback:
        pass

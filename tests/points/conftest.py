import pytest

from points import services


@pytest.fixture
def funded(community, superuser):
    """The community's pool, budgeted 10,000 points by the district."""
    services.points_budget(actor=superuser, community=community, amount=10_000)
    return community


@pytest.fixture
def give(funded):
    """give(user, n): award n points to a member of the funded community."""

    def _give(user, amount):
        return services.points_award(
            actor=None, community=funded, user=user, amount=amount, idempotency_key=services.new_key("test-award")
        )

    return _give


@pytest.fixture
def reward(community, staff):
    return services.reward_create(actor=staff, community=community, name="大米 5kg", cost=100, stock=3, per_person_limit=2)

import pytest

from points import services


@pytest.fixture
def reward(community, staff):
    return services.reward_create(actor=staff, community=community, name="大米 5kg", cost=100, stock=3, per_person_limit=2)

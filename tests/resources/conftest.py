from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Organization, OrganizationMember
from resources import services
from tests.factories import OrganizationFactory, OrganizationMemberFactory


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A local moment ``days`` from today at hour:minute."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def room(community, staff):
    """原聚场's 文化活动室: 30 people, open 08:30–21:00, at most 4 hours a booking."""
    return services.venue_create(actor=staff, community=community, name="原聚场·文化活动室", capacity=30, open_hours_text="08:30-21:00")


@pytest.fixture
def choir(community):
    """东原社区合唱团, a filed community group."""
    return OrganizationFactory(community=community, name="东原社区合唱团", kind=Organization.Kind.COMMUNITY_GROUP)


@pytest.fixture
def leader(choir):
    return OrganizationMemberFactory(organization=choir, role=OrganizationMember.Role.ADMIN, user__username="choir_leader",
                                     user__display_name="周老师").user

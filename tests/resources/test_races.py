"""Twenty requests for overlapping times on one room at once, with real threads on a real database
(SQLite here, PostgreSQL in the second pass): exactly one is accepted."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership
from core.errors import Conflict
from resources import services
from resources.models import Booking, Handover
from tests.concurrency import run_in_threads
from tests.conftest import needs_postgres
from tests.factories import CommunityFactory, MembershipFactory, OrganizationFactory
from tests.resources.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_overlapping_requests_at_once_leave_exactly_one_booking():
    community = CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    room = services.venue_create(actor=staff, community=community, name="原聚场", capacity=50, open_hours_text="08:30-21:00")
    people = [MembershipFactory(community=community, role=Membership.Role.RESIDENT).user for _ in range(20)]

    # Each asks for a different but overlapping stretch of the same afternoon (14:00 + i minutes, two hours).
    results = run_in_threads(20, lambda i: services.booking_request(
        actor=people[i], venue=room, starts_at=at(3, 14, i), ends_at=at(3, 16, i), purpose=f"活动 {i}", attendees=10,
    ))

    accepted = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(accepted) == 1 and len(refused) == 19, results
    assert all(r.code == "venue_taken" for r in refused)
    assert Booking.objects.filter(venue=room).count() == 1


def test_a_handover_and_a_booking_racing_for_the_same_hour_never_both_win():
    community = CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    room = services.venue_create(actor=staff, community=community, name="原聚场", capacity=50, open_hours_text="08:30-21:00")
    choir = OrganizationFactory(community=community, name="合唱团")
    resident = MembershipFactory(community=community, role=Membership.Role.RESIDENT).user
    start = at(7, 14)

    def act(i):
        if i % 2:
            return services.booking_request(actor=resident, venue=room, starts_at=at(7, 15), ends_at=at(7, 16), purpose="读书会", attendees=5)
        return services.handover_create(actor=staff, venue=room, organization=choir, weekday=start.isoweekday(), starts="14:00", ends="17:00",
                                        valid_from=start.date(), valid_until=start.date())

    results = run_in_threads(6, act)
    won = [r for r in results if isinstance(r, Booking | Handover)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) and r.code == "venue_taken" for r in results if r not in won)


@needs_postgres
def test_postgresql_itself_refuses_two_holding_bookings_that_overlap_even_around_the_services():
    community = CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    room = services.venue_create(actor=staff, community=community, name="原聚场", capacity=50, open_hours_text="08:30-21:00")
    Booking.objects.create(venue=room, requester=staff, starts_at=at(3, 14), ends_at=at(3, 16), purpose="a", attendees=1)
    # Written straight to the table, past the venue lock: the exclusion constraint is the last line.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(venue=room, requester=staff, starts_at=at(3, 15), ends_at=at(3, 17), purpose="b", attendees=1)
    # Half-open, and a refused booking holds nothing.
    Booking.objects.create(venue=room, requester=staff, starts_at=at(3, 16), ends_at=at(3, 17), purpose="c", attendees=1)
    Booking.objects.create(venue=room, requester=staff, starts_at=at(3, 14), ends_at=at(3, 15), purpose="d", attendees=1, status="refused")
    assert Booking.objects.filter(venue=room).count() == 3

"""The claim storm and the double verification, with real threads on a real database."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership
from core.errors import Conflict
from marketplace.models import Task
from marketplace.services import TaskFields, task_checkin_code, task_create
from orders import services
from orders.models import Claim
from points.models import LedgerTransaction
from points.selectors import person_balance
from points.services import points_budget
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _task(community, staff, slots):
    start = timezone.now() + timedelta(days=1)
    fields = TaskFields(
        title="社区环境清扫", description="", category="environment", starts_at=start, ends_at=start + timedelta(hours=2),
        location="东原社区广场", slots=slots, points=20, skills=[], beneficiary=None,
    )
    return task_create(actor=staff, community=community, fields=fields)


def test_fifty_volunteers_racing_for_five_slots_get_exactly_five():
    community = CommunityFactory()
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    task = _task(community, staff, slots=5)
    volunteers = [MembershipFactory(community=community, role="volunteer").user for _ in range(50)]

    results = run_in_threads(50, lambda i: services.claim_create(actor=volunteers[i], task=task))

    won = [r for r in results if isinstance(r, Claim)]
    refused = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if not isinstance(r, (Claim, Conflict))]
    assert others == []  # no "database is locked", no IntegrityError, nothing unexpected
    assert len(won) == 5
    assert len(refused) == 45 and {r.code for r in refused} == {"task_full"}
    task.refresh_from_db()
    assert (task.slots_taken, task.status) == (5, "full")
    assert Claim.objects.filter(task=task).count() == 5


def test_one_volunteer_double_clicking_claim_gets_one_slot():
    community = CommunityFactory()
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    task = _task(community, staff, slots=5)
    volunteer = MembershipFactory(community=community, role="volunteer").user
    results = run_in_threads(6, lambda i: services.claim_create(actor=volunteer, task=task))
    assert sum(isinstance(r, Claim) for r in results) == 1
    assert {r.code for r in results if isinstance(r, Conflict)} == {"already_claimed"}
    assert Task.objects.get(pk=task.pk).slots_taken == 1


def test_verifying_one_claim_from_two_threads_awards_points_once():
    community = CommunityFactory()
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    other_staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    task = _task(community, staff, slots=1)
    volunteer = MembershipFactory(community=community, role="volunteer").user
    claim = services.claim_create(actor=volunteer, task=task)
    with time_machine.travel(task.starts_at, tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_in(actor=volunteer, claim=claim, code=code)
    with time_machine.travel(task.ends_at, tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_out(actor=volunteer, claim=claim, code=code)
        services.claim_submit(actor=volunteer, claim=claim)

    verifiers = [staff, other_staff]
    results = run_in_threads(2, lambda i: services.claim_verify(actor=verifiers[i], claim=claim))

    assert all(isinstance(r, Claim) and r.status == "verified" for r in results), results
    assert person_balance(volunteer) == 20
    assert LedgerTransaction.objects.filter(kind="award").count() == 1

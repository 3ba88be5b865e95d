"""Races the issue names, with real threads on a real database (SQLite here, PostgreSQL in the second
pass): 16 stewards voting at once are each counted once; a steward's double tap, two signatures of
one resident, two approvals of one award and a vote racing the close each leave one winner."""

import pytest
from django.utils import timezone

from accounts.models import Membership
from core.errors import ApplicationError
from deliberation import services
from deliberation.models import ConductAward, ConventionSignature, Motion, MotionVote
from points.models import LedgerTransaction
from points.services import points_budget
from tests.concurrency import run_in_threads
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sixteen(community, staff):
    """锣旗寺社区's 16 stewards, all present, and a motion put to them."""
    people = [MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username=f"gj{i}").user for i in range(16)]
    for person in people:
        services.steward_appoint(actor=staff, community=community, user_id=person.pk)
    meeting = services.meeting_call(actor=staff, community=community, title="议事会", starts_at=timezone.now(), location="会议室", issue_ids=[])
    services.attendance_record(actor=staff, meeting=meeting, user_ids=[p.pk for p in people])
    motion = services.motion_put(actor=staff, meeting=meeting, title="文明养犬公约")
    return people, motion


def test_sixteen_stewards_vote_at_once_and_each_is_counted_once(sixteen, staff):
    people, motion = sixteen
    choices = ["for"] * 12 + ["against"] * 2 + ["abstain"] * 2

    def vote(i):
        fresh = Motion.objects.select_related("meeting").get(pk=motion.pk)
        return services.motion_vote(actor=people[i], motion=fresh, vote=choices[i]).vote

    results = run_in_threads(16, vote)
    assert sorted(results) == sorted(choices), results
    closed = services.motion_close(actor=staff, motion=Motion.objects.select_related("meeting").get(pk=motion.pk))
    assert (closed.votes_for, closed.votes_against, closed.votes_abstain, closed.passed) == (12, 2, 2, True)


def test_a_stewards_double_tap_counts_once(sixteen):
    people, motion = sixteen

    def vote(_i):
        return services.motion_vote(actor=people[0], motion=Motion.objects.select_related("meeting").get(pk=motion.pk), vote="for").pk

    results = run_in_threads(4, vote)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"already_voted"}
    assert MotionVote.objects.filter(motion=motion).count() == 1


def test_votes_racing_the_close_are_either_counted_or_refused(sixteen, staff):
    people, motion = sixteen

    def act(i):
        fresh = Motion.objects.select_related("meeting").get(pk=motion.pk)
        if i == 0:
            return services.motion_close(actor=staff, motion=fresh)
        return services.motion_vote(actor=people[i], motion=fresh, vote="for")

    results = run_in_threads(8, act)
    refused = [r for r in results[1:] if isinstance(r, ApplicationError)]
    assert {e.code for e in refused} <= {"motion_closed"}, results
    final = Motion.objects.get(pk=motion.pk)
    # What the count says is exactly what was recorded: no vote landed after it.
    assert final.votes_for == MotionVote.objects.filter(motion=motion).count() == 7 - len(refused)


def test_two_approvals_of_one_award_pay_once(community, staff, superuser):
    resident = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="jiang").user
    approvers = [MembershipFactory(community=community, role=Membership.Role.STAFF, user__username=f"s{i}").user for i in range(3)]
    points_budget(actor=superuser, community=community, amount=100)
    rule = services.conduct_rule_create(actor=staff, community=community, title="清理楼道杂物", points=5)
    award = services.conduct_award_propose(actor=staff, rule=rule, user_id=resident.pk, evidence="清理3栋楼道")

    def approve(i):
        return services.conduct_award_approve(actor=approvers[i], award=ConductAward.objects.select_related("rule", "community", "user").get(pk=award.pk)).status

    results = run_in_threads(3, approve)
    assert results.count("approved") == 1, results
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"invalid_transition"}
    assert LedgerTransaction.objects.filter(memo_code="points_conduct").count() == 1
    assert award.history.count() == 2


def test_a_residents_two_signatures_at_once_count_once(community, staff, sixteen):
    people, motion = sixteen
    for person in people[:9]:
        services.motion_vote(actor=person, motion=Motion.objects.select_related("meeting").get(pk=motion.pk), vote="for")
    services.motion_close(actor=staff, motion=Motion.objects.select_related("meeting").get(pk=motion.pk))
    convention = services.convention_create(actor=staff, community=community, title="文明养犬公约", text="出门拴绳", motion_id=motion.pk)

    def sign(_i):
        return services.convention_sign(actor=people[0], convention=convention).pk

    results = run_in_threads(3, sign)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert ConventionSignature.objects.filter(convention=convention).count() == 1

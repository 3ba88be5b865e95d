"""API fuzzing: schemathesis sends generated requests to every operation of /api/v1/.

The schema is the one the app serves at /api/v1/openapi.json, so what is checked is what an
outside client is told. For each operation, each example is sent as one of six callers
(anonymous, resident, volunteer, organisation admin, staff, superuser, with bearer tokens) and
must get an answer that the schema declares: never a 5xx, a documented status code, and a body of
the documented shape. Path ids (and ids in bodies and filters) point at objects of a small seeded
world some of the time, so that the checks reach past "404 not found".

Requests go in-process through the project's WSGI application, on the test database.
The default run is bounded for CI; ``make fuzz`` (``FUZZ_EXAMPLES=500``) digs much deeper.
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("anonymous", "resident", "volunteer", "org_admin", "staff", "superuser")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# 503s that are answers, not failures: online donations are off where no Stripe key is set (as here).
DOCUMENTED_UNAVAILABLE = {"donations_not_configured"}

# Loaded once, at collection (the view builds the document from the routers and reads no table),
# before Django's test set-up has allowed any host: allow the test client's "localhost".
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Names of ids in paths, bodies and filters → the kind of object they name in the seeded world.
ID_NAMES = {
    "community_id": "community", "community": "community",
    "organization_id": "organization", "organization_ids": "organization",
    "task_id": "task", "task": "task",
    "claim_id": "claim",
    "need_id": "need", "need": "need",
    "consultation_id": "consultation", "option_id": "option", "comment_id": "comment",
    "project_id": "project", "project": "project",
    "bid_id": "bid", "contract_id": "contract", "milestone_id": "milestone", "review_id": "review",
    "user_id": "user", "to_user_id": "user", "beneficiary_id": "user",
    "reward_id": "reward", "reward": "reward", "redemption_id": "redemption",
    "donation_id": "donation", "corrects_id": "spending",
    "application_id": "application", "to_organization_id": "organization", "on_behalf_of": "user",
    "fund_id": "fund", "report_id": "report", "service_item_id": "service_item",  # public affairs (#31)
    "budget_id": "budget", "proposal_id": "proposal", "proposal_ids": "proposal", "alliance_id": "alliance",  # budgets, alliances (#34)
    "street_id": "street",
    "issue_id": "issue", "issue_ids": "issue", "meeting_id": "meeting", "motion_id": "motion", "convention_id": "convention",  # (#32)
    "rule_id": "conduct_rule", "award_id": "conduct_award", "user_ids": "user",
    "venue_id": "venue", "booking_id": "booking", "handover_id": "handover",  # rooms (#33)
    "activity_id": "activity",  # community groups' activities (#33)
}


@dataclass
class World:
    """A community with one of everything, and a bearer token for each kind of caller."""

    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def add(self, kind: str, obj) -> None:
        self.ids.setdefault(kind, []).append(obj.pk)

    def headers_for(self, role: str, *, fresh: bool = False) -> dict:
        if role == "anonymous":
            return {}
        from accounts.services import token_create

        token = token_create(user=self.users[role]) if fresh else self.tokens[role]
        return {"Authorization": f"Bearer {token}"}

    def real_id(self, name: str, pick: int):
        kind = ID_NAMES.get(name)
        choices = self.ids.get(kind) if kind else None
        return choices[pick % len(choices)] if choices else None


def seed_world() -> World:
    from accounts.models import Membership, OrganizationMember
    from accounts.services import notify, token_create
    from funds.models import Donation
    from marketplace.models import Project
    from marketplace.services import TaskFields, task_create
    from marketplace.services.consultations import consultation_comment, consultation_open
    from marketplace.services.needs import need_submit
    from marketplace.services.projects import project_create
    from orders.services.claims import claim_create
    from orders.services.contracts import bid_submit, contract_set_milestones, project_award
    from points import services as points
    from tests.factories import CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory, UserFactory

    world = World()
    community = CommunityFactory(name="锣旗寺社区")
    other = CommunityFactory(name="东原社区")
    for kind_ in (community, other):
        world.add("community", kind_)
    people = {
        "resident": MembershipFactory(community=community, role=Membership.Role.RESIDENT).user,
        "volunteer": MembershipFactory(community=community, role=Membership.Role.VOLUNTEER).user,
        "staff": MembershipFactory(community=community, role=Membership.Role.STAFF).user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    organization = OrganizationFactory(community=community)
    people["org_admin"] = OrganizationMemberFactory(organization=organization, role=OrganizationMember.Role.ADMIN).user
    pending = OrganizationFactory(community=community, status="pending")
    for org in (organization, pending):
        world.add("organization", org)
    world.users = people
    world.tokens = {role: token_create(user=user) for role, user in people.items()}
    for user in people.values():
        world.add("user", user)
    staff, resident, volunteer = people["staff"], people["resident"], people["volunteer"]

    start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    fields = dict(title="陪伴独居老人", description="上门聊天、读报", category="elder_care", starts_at=start,
                  ends_at=start + timedelta(hours=2), location="3 栋", slots=2, points=10, skills=[], beneficiary=resident)
    task = task_create(actor=staff, community=community, fields=TaskFields(**fields))
    world.add("task", task)
    world.add("task", task_create(actor=staff, community=community, fields=TaskFields(**fields), draft=True))
    world.add("claim", claim_create(actor=volunteer, task=task))

    need = need_submit(actor=resident, community=community, title="楼道灯坏了", description="三单元")
    world.add("need", need)
    consultation = consultation_open(actor=staff, community=community, title="加装电梯", options=["同意", "反对"],
                                     closes_at=timezone.now() + timedelta(days=7))
    world.add("consultation", consultation)
    for option in consultation.options.all():
        world.add("option", option)
    world.add("comment", consultation_comment(actor=resident, consultation=consultation, body="支持"))

    deadline = timezone.now() + timedelta(days=3)
    open_project = project_create(actor=staff, community=community, title="独居老人关爱", budget=500_000, bid_deadline=deadline)
    awarded = project_create(actor=staff, community=community, title="楼道改造", budget=300_000, bid_deadline=deadline)
    for project in (open_project, awarded):
        world.add("project", project)
    world.add("bid", bid_submit(actor=people["org_admin"], project=open_project, organization=organization, amount=400_000, proposal="方案"))
    won = bid_submit(actor=people["org_admin"], project=awarded, organization=organization, amount=300_000, proposal="方案")
    world.add("bid", won)
    # The deadline passes (the award needs it to have passed).
    Project.objects.filter(pk=awarded.pk).update(bid_deadline=timezone.now() - timedelta(minutes=1))
    awarded.refresh_from_db()
    contract = project_award(actor=staff, project=awarded, bid=won, reason="最优")
    world.add("contract", contract)
    for milestone in contract_set_milestones(actor=staff, contract=contract, items=[("第一阶段", date.today() + timedelta(days=30), 300_000)]):
        world.add("milestone", milestone)

    points.points_budget(actor=people["superuser"], community=community, amount=10_000)
    points.points_award(actor=None, community=community, user=resident, amount=500, idempotency_key=points.new_key("fuzz"))
    reward = points.reward_create(actor=staff, community=community, name="大米 5 斤", cost=50, stock=20)
    world.add("reward", reward)
    world.add("redemption", points.redemption_reserve(actor=resident, reward=reward, quantity=1))

    # A donation as the Stripe webhook leaves it (no payment provider in this test).
    donation = Donation.objects.create(community=community, donor=resident, amount=10_000, currency="cny", status="succeeded",
                                       payment_intent_id="pi_fuzz_seed", client_secret="pi_fuzz_seed_secret")
    world.add("donation", donation)
    notify(user=resident, kind="fuzz", message="你好")

    # Assistance applications (#30): one just submitted, one being verified by the organisation.
    from relief.services import application_delegate, application_submit

    for _n in range(2):
        world.add("application", application_submit(actor=resident, community=community, kind="minimum_living", reason="身体残疾", household_size=2))
    verifying = application_submit(actor=resident, community=community, kind="medical", reason="住院")
    application_delegate(actor=staff, application=verifying, organization_id=organization.pk)
    world.add("application", verifying)
    # Public affairs (#31): a service item, a community fund with one line, an anonymous report.
    from affairs import services as affairs

    world.add("service_item", affairs.service_item_create(actor=staff, name="高龄津贴申领", category="elderly", where="便民服务中心",
                                                          how_to_apply="携带身份证", community=community))
    fund = affairs.fund_create(actor=staff, name="惠民资金", source="government", amount=100_000, year=2026, community=community)
    affairs.spending_line_record(actor=staff, fund=fund, amount=1_000, what="助餐", at=date.today())
    world.add("fund", fund)
    world.add("report", affairs.report_create(actor=resident, community=community, subject="路灯", text="坏了", anonymous=True))
    # Participatory budgets and an alliance (#34): one budget taking proposals, one voting, one closed.
    from budgets import services as budgets
    from budgets.models import Budget
    from tests.factories import CommunityFactory as Communities

    now = timezone.now()
    world.add("street", community.street)
    for n in range(3):
        budget = budgets.budget_create(actor=staff, community=community, title=f"民生实事{n}", amount=5_000_000, voting_opens=now + timedelta(days=3),
                                       voting_closes=now + timedelta(days=10))
        proposal = budgets.proposal_create(actor=resident, budget=budget, title="社区花园", text="x", cost=800_000)
        world.add("proposal", budgets.proposal_review(actor=staff, proposal=proposal, feasible=True))
        world.add("budget", budget)
        if n:
            Budget.objects.filter(pk=budget.pk).update(voting_opens=now - timedelta(hours=1))
        if n == 2:
            budgets.budget_close(actor=staff, budget=Budget.objects.get(pk=budget.pk))
    world.add("alliance", points.alliance_create(actor=people["superuser"], community_ids=[community.pk, Communities(name="东原社区（联盟）").pk]))
    # Deliberation (#32): the resident is a steward, present at a meeting with an open and a passed
    # motion; a convention, a conduct rule and a pending award.
    from deliberation import services as deliberation

    deliberation.steward_appoint(actor=staff, community=community, user_id=resident.pk)
    issue = deliberation.issue_collect(actor=resident, community=community, title="文明养犬")
    world.add("issue", issue)
    meeting = deliberation.meeting_call(actor=staff, community=community, title="议事会", starts_at=timezone.now(), location="会议室",
                                        issue_ids=[issue.pk])
    world.add("meeting", meeting)
    deliberation.attendance_record(actor=staff, meeting=meeting, user_ids=[resident.pk])
    world.add("motion", deliberation.motion_put(actor=staff, meeting=meeting, title="文明养犬公约"))
    passed = deliberation.motion_put(actor=staff, meeting=meeting, title="楼道公约")
    deliberation.motion_vote(actor=resident, motion=passed, vote="for")
    world.add("motion", deliberation.motion_close(actor=staff, motion=passed))
    convention = deliberation.convention_create(actor=staff, community=community, title="楼道公约", text="不堆杂物", motion_id=passed.pk)
    world.add("convention", convention)
    rule = deliberation.conduct_rule_create(actor=staff, community=community, title="文明养犬", points=10, convention_id=convention.pk)
    world.add("conduct_rule", rule)
    world.add("conduct_award", deliberation.conduct_award_propose(actor=staff, rule=rule, user_id=resident.pk, evidence="拴绳"))
    # Rooms (#33): a room with the resident's requested booking and the organisation's weekly handover.
    from resources import services as resources

    room = resources.venue_create(actor=staff, community=community, name="文化活动室", capacity=30, open_hours_text="08:30-21:00")
    world.add("venue", room)
    day = timezone.localdate() + timedelta(days=2)
    world.add("booking", resources.booking_request(
        actor=resident, venue=room, starts_at=timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=14)),
        ends_at=timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=16)), purpose="读书会", attendees=8))
    world.add("handover", resources.handover_create(actor=staff, venue=room, organization=organization, weekday=day.isoweekday(), starts="09:00",
                                                    ends="11:00", valid_from=day, valid_until=day + timedelta(days=28)))
    # A filed community group (org_admin its leader) with an activity awaiting staff.
    from accounts.models import Organization

    group = OrganizationFactory(community=community, name="合唱团", kind=Organization.Kind.COMMUNITY_GROUP, status=Organization.Status.PENDING)
    OrganizationMemberFactory(organization=group, user=people["org_admin"], role=OrganizationMember.Role.ADMIN)
    resources.group_file(actor=staff, organization=group, leader=people["org_admin"])
    world.add("organization", group)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=18))
    world.add("activity", resources.activity_propose(actor=people["org_admin"], organization=group, fields=TaskFields(
        title="合唱快闪", description="", category="culture", starts_at=start, ends_at=start + timedelta(hours=2), location="广场", slots=3,
        points=0, skills=[], beneficiary=None)))
    return world


@pytest.fixture(scope="module")
def seeded_world(django_db_setup, django_db_blocker):
    """The world, built once for the module in a transaction that is rolled back at its end; each
    operation's test runs in a savepoint inside it (the ``db`` fixture), so each starts from it."""
    # Django's test client does the same: a request must not close the test's connection (and with
    # it the transactions that keep the tests apart) when it ends.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            with transaction.atomic():
                yield seed_world()
                transaction.set_rollback(True)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(seeded_world, db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the host schemathesis' WSGI client sends
    return seeded_world


def point_at_real_objects(case, world: World, pick: int) -> None:
    """Swap generated ids for ids of seeded objects, in the path, the query and the body's top level."""
    for name in list(case.path_parameters or {}):
        real = world.real_id(name, pick)
        if real is not None:
            case.path_parameters[name] = real
    if isinstance(case.query, dict):
        for name in list(case.query):
            real = world.real_id(name, pick)
            if real is not None:
                case.query[name] = real
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            real = world.real_id(name, pick)
            if real is not None:
                case.body[name] = [real] if isinstance(value, list) else real


# Control characters an attacker puts in an address (issue #36.6): PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = ("\x00", "\x01", "\x08", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f")


def poison_parameters(case, char: str, pick: int) -> None:
    """Put a control character into every path and query parameter (at the start, middle or end)."""
    for params in (case.path_parameters, case.query):
        if not isinstance(params, dict):
            continue
        for name, value in list(params.items()):
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            at = (0, len(text) // 2, len(text))[pick % 3]
            params[name] = text[:at] + char + text[at:]


@schema.parametrize()
@schema.given(
    role=st.sampled_from(ROLES),
    use_real_ids=st.booleans(),
    pick=st.integers(min_value=0, max_value=7),
    control=st.one_of(st.none(), st.sampled_from(CONTROL_CHARACTERS)),
)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=MAX_EXAMPLES < 50,  # the bounded CI run is repeatable; `make fuzz` explores
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, role, use_real_ids, pick, control, world):
    if use_real_ids:
        point_at_real_objects(case, world, pick)
    if control is not None:
        poison_parameters(case, control, pick)
    # Revoking a token would log this caller out for the rest of the run: revoke a fresh one.
    headers = world.headers_for(role, fresh=case.path.endswith("/auth/token/revoke"))
    # In a savepoint, as each request is on its own in production: one that fails in the database
    # (a number too large for SQLite, say) must not break the test's transaction for the next.
    with transaction.atomic():
        response = case.call(headers=headers)
    checks = CHECKS
    if response.status_code == 503 and _error_code(response) in DOCUMENTED_UNAVAILABLE:
        # Not a crash: the documented "not switched on here" answer. It must still be declared
        # for the operation and have the error shape, which the other checks see to.
        checks = [check for check in CHECKS if check is not not_a_server_error]
    case.validate_response(response, checks=checks, headers=headers)


def _error_code(response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None

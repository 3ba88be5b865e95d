"""Every list of the API and every list page costs a fixed number of queries, whatever the page size.

Each row of the two tables below names a list and the exact number of SQL statements one request
for it costs. The test asks once with few rows (2, ``page_size=1`` in the API) and once with many
(26, ``page_size=50``: a full page) and wants that number both times, so an N+1 (a query per row)
fails here with the statements printed. The API table is checked against the OpenAPI schema: a new
list endpoint without a row fails ``test_every_list_endpoint_of_the_api_has_a_row``.

The numbers are the same on SQLite and PostgreSQL because only data statements are counted
(SELECT, INSERT, UPDATE, DELETE): savepoints and other transaction control differ by backend.
Every request is made once before it is measured, so the bearer token's "last used" write and
the first-use caches (content types, translations) are not counted.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Notification, OrganizationMember
from config.api import api as ninja_api
from tests.conftest import ApiClient, browser
from tests.factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 26

# Bearer calls include the token look-up, page loads the session and the user. Where a list had an
# N+1 (fixed with this test) the comment gives its old count at 26 rows.
API_LIST_QUERIES = {
    "GET /api/v1/communities": 2,  # count, page (street and district joined)
    "GET /api/v1/lockouts": 5,
    "GET /api/v1/organizations": 4,
    "GET /api/v1/notifications": 3,
    "GET /api/v1/me/invitations": 3,
    "GET /api/v1/me/guardians": 3,
    "GET /api/v1/me/wards": 3,
    "GET /api/v1/me/wards/{user_id}/needs": 6,  # the token (twice), the guardian named, count, page, tasks (#22)
    "GET /api/v1/points/entries": 3,
    "GET /api/v1/rewards": 2,
    "GET /api/v1/redemptions": 3,
    "GET /api/v1/tasks": 3,  # count, page, skills
    "GET /api/v1/needs": 5,  # was 160: a token look-up and a staff check per row and field
    "GET /api/v1/needs/resolved": 4,  # was 159, the same
    "GET /api/v1/consultations": 4,  # was 106: options, results and my vote per row
    "GET /api/v1/consultations/{consultation_id}/comments": 3,
    "GET /api/v1/projects": 4,  # was 82: a staff check and a bid count per row
    "GET /api/v1/claims": 3,
    "GET /api/v1/projects/{project_id}/bids": 8,
    "GET /api/v1/projects/{project_id}/ranking": 7,
    "GET /api/v1/donations": 3,
    "GET /api/v1/me/guardian-requests": 3,  # #36: the people who asked me
    "GET /api/v1/assistance/applications": 3,  # #30
    "GET /api/v1/public/policies": 2,  # #31
    "GET /api/v1/public/service-items": 2,
    "GET /api/v1/public/funds": 4,  # funds with their spending summed, the communities, donations raised and spent
    "GET /api/v1/reports": 3,
    "GET /api/v1/public/reports": 2,
    "GET /api/v1/budgets": 2,  # #34: count, page (proposals counted in it)
    "GET /api/v1/budgets/{budget_id}/proposals": 3,  # the budget, count, page
    "GET /api/v1/points/alliances": 3,  # count, page, members
    "GET /api/v1/communities/{community_id}/stewards": 4,  # #32: the token, the community, membership, the stewards
    "GET /api/v1/communities/{community_id}/issues": 5,  # the token, the community, membership, count, page
    "GET /api/v1/communities/{community_id}/meetings": 5,
    "GET /api/v1/conventions": 2,  # count, page (signatures counted in it)
    "GET /api/v1/conduct-rules": 2,
    "GET /api/v1/conduct-awards": 3,
    "GET /api/v1/venues": 2,  # #33
    "GET /api/v1/bookings": 3,  # token, count, page (venue, requester, organisation joined)
    "GET /api/v1/talents": 2,
    "GET /api/v1/community-groups": 2,
    "GET /api/v1/venues/{venue_id}/handovers": 2,  # the room, its handovers (organisation joined)
    "GET /api/v1/communities/{community_id}/venue-usage": 6,  # token, community, staff check, rooms, bookings, handovers
    "GET /api/v1/organizations/{organization_id}/annual-reports": 4,  # token, organisation, staff check, reports
    "GET /api/v1/activities": 3,  # token, count, page (task, group, proposer joined)
}

PAGE_QUERIES = {
    "/tasks/": 4,
    "/needs/": 9,  # #16: the post-a-need buttons read my memberships; #22: the people I look after
    "/needs/wards/{user_id}/": 8,  # #22: a guardian reads an elder's needs (a member nowhere: the tab asks whether she looks after someone)
    "/feedback/": 9,  # was 29 (a page of 20): a staff check per need
    "/communities/{community_id}/feedback/": 10,  # was 30, the same
    "/projects/": 7,
    "/communities/": 2,
    "/organizations/": 7,
    "/claims/": 7,  # + the page's corrections, once (the template asked once per verified claim)
    "/claims/queue/": 7,
    "/donations/": 6,
    "/notifications/": 7,  # and one UPDATE: opening the page marks them read
    "/points/": 8,  # was 10: the memberships shared with the navigation, the total summed from the balances
    "/communities/{community_id}/rewards/": 12,  # #34: the allied communities (may I spend here?) and the alliance named on the page
    "/consultations/community/{community_id}/": 8,
    "/accounts/lockouts/": 9,
    "/volunteers/{user_id}/record/": 12,  # + volunteer number, totals per year, the communities that certify (#20)
    "/communities/{community_id}/points/": 15,
    "/communities/{community_id}/funds/": 7,
}

DATA_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def data_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(DATA_STATEMENTS)]


def measure(call) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return data_statements(captured), response


def show(statements: list[str]) -> str:
    return "\n".join(f"  {i + 1:>2}. {sql}" for i, sql in enumerate(statements))


@pytest.fixture(autouse=True)
def _no_public_cache(settings):
    # With Redis (the second CI pass) anonymous task lists may be answered from the shared cache
    # without touching the database; these tests measure what building the answer costs.
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PAGE_CACHE_SECONDS = 0  # nor the signed-in pages kept per browser (core/pagecache.py)
    # With Redis the session is read from the cache (cached_db) and its query disappears; the
    # database engine keeps the numbers the same in both CI passes (each page load counts it).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


# --- The little world each scenario adds rows to ---------------------------------------------------
class World:
    def __init__(self, request):
        self._request = request
        self.community = request.getfixturevalue("community")
        self.staff = request.getfixturevalue("staff")
        self.volunteer = request.getfixturevalue("volunteer")
        self.resident = request.getfixturevalue("resident")
        self.made = 0

    def fixture(self, name):
        return self._request.getfixturevalue(name)

    def task(self, days: int = 1, **overrides):
        start = (timezone.localtime() + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        return self.fixture("make_task")(starts_at=start, **overrides)

    def next(self) -> int:
        self.made += 1
        return self.made


@pytest.fixture
def world(request):
    return World(request)


@dataclass
class Scenario:
    add: Callable[[int], None]  # add n more rows visible to the viewer
    get: Callable[[int], object]  # page_size -> response
    rows: Callable[[object], int]  # how many rows the response shows
    later: timedelta | None = None  # ask this far in the future (after deadlines and closing times)


def api_get(user, path, **params):
    client = ApiClient(user)
    return lambda size: client.get(path, {**params, "page": 1, "page_size": size})


def api_rows(response):
    body = response.json()
    return len(body["items"]) if isinstance(body, dict) else len(body)


def page_get(user, path):
    client = browser(user)
    return lambda size: client.get(path)


def page_rows(key="page"):
    def rows(response):
        value = response.context[key]
        return len(value.object_list) if hasattr(value, "object_list") else len(list(value))

    return rows


# --- Row makers ------------------------------------------------------------------------------------
def add_tasks(world, n, **overrides):
    for _ in range(n):
        i = world.next()
        world.task(days=i, title=f"任务{i}", skills=["陪护", f"技能{i}"], **overrides)


def add_needs(world, n, *, resolved=False):
    from marketplace.services import need_resolve, need_submit, need_triage

    for _ in range(n):
        i = world.next()
        need = need_submit(actor=world.resident, community=world.community, title=f"需求{i}", description="楼道灯坏了", anonymous=i % 2 == 0)
        if resolved:
            need_triage(actor=world.staff, need=need, track="minor", reply="马上派人")
            need_resolve(actor=world.staff, need=need, reply="已修好")


def add_consultations(world, n):
    from marketplace.services import consultation_open, consultation_vote

    for _ in range(n):
        i = world.next()
        c = consultation_open(
            actor=world.staff, community=world.community, title=f"议题{i}", options=["同意", "反对"], closes_at=timezone.now() + timedelta(days=1)
        )
        consultation_vote(actor=world.resident, consultation=c, option=c.options.first())


def the_consultation(world):
    from marketplace.services import consultation_open

    if not hasattr(world, "consultation"):
        world.consultation = consultation_open(
            actor=world.staff, community=world.community, title="加装电梯", options=["同意", "反对"], closes_at=timezone.now() + timedelta(days=1)
        )
    return world.consultation


def add_comments(world, n):
    from marketplace.services import consultation_comment

    for _ in range(n):
        consultation_comment(actor=world.resident, consultation=the_consultation(world), body=f"意见{world.next()}")


def add_projects(world, n):
    from marketplace.services import project_create

    for _ in range(n):
        i = world.next()
        project_create(actor=world.staff, community=world.community, title=f"项目{i}", budget=100_000, bid_deadline=timezone.now() + timedelta(days=1))


def the_project(world):
    from marketplace.services import project_create

    if not hasattr(world, "project"):
        world.project = project_create(
            actor=world.staff, community=world.community, title="关爱项目", budget=10_000_000, bid_deadline=timezone.now() + timedelta(days=1)
        )
    return world.project


def add_bids(world, n):
    from orders.services import bid_submit

    project = the_project(world)
    for _ in range(n):
        i = world.next()
        org = OrganizationFactory(community=world.community, name=f"社工机构{i}")
        admin = UserFactory()
        OrganizationMember.objects.create(organization=org, user=admin, role=OrganizationMember.Role.ADMIN)
        bid_submit(actor=admin, project=project, organization=org, amount=1_000_000 + i, proposal="每周两次上门探访")


def add_claims(world, n, *, submitted=False):
    from orders.models import Claim
    from orders.services import claim_create

    for _ in range(n):
        i = world.next()
        claim = claim_create(actor=world.volunteer, task=world.task(days=i, title=f"任务{i}"))
        if submitted:
            Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED, submitted_hours=2)


def add_verified_claims(world, n):
    from orders.models import Claim
    from orders.services import claim_create

    for _ in range(n):
        i = world.next()
        claim = claim_create(actor=world.volunteer, task=world.task(days=i, title=f"任务{i}"))
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.VERIFIED, credited_hours=2, points_awarded=10)


def add_donations(world, n, donor=None):
    from funds.models import Donation

    for _ in range(n):
        i = world.next()
        Donation.objects.create(
            community=world.community, project=the_project(world) if i % 2 else None, donor=donor, donor_name=f"捐赠人{i}",
            amount=1_000 + i, currency="cny", status=Donation.Status.SUCCEEDED,
        )


def add_spendings(world, n):
    from funds.services import spending_record

    add_donations(world, 1)
    for _ in range(n):
        i = world.next()
        spending_record(actor=world.staff, community=world.community, amount=1, spent_on=timezone.localdate(), purpose=f"用途{i}", payee="超市")


def add_notifications(world, n, user):
    Notification.objects.bulk_create([Notification(user=user, kind="claim_verified", message=f"消息{world.next()}", url="/claims/") for _ in range(n)])


def add_invitations(world, n, user):
    from accounts.models import CommunityInvitation

    for _ in range(n):
        community = CommunityFactory(name=f"社区{world.next()}")
        inviter = MembershipFactory(community=community, role=Membership.Role.STAFF).user
        CommunityInvitation.objects.create(community=community, user=user, role="volunteer", invited_by=inviter)


def add_entries(world, n, user):
    give = world.fixture("give")
    for _ in range(n):
        give(user, 1 + world.next() % 5)


def the_reward(world, stock=1000):
    from points.services import reward_create

    if not hasattr(world, "reward"):
        world.reward = reward_create(actor=world.staff, community=world.community, name="大米 5kg", cost=1, stock=stock)
    return world.reward


def add_rewards(world, n):
    from points.services import reward_create

    for _ in range(n):
        i = world.next()
        reward_create(actor=world.staff, community=world.community, name=f"奖品{i}", cost=10 + i, stock=5)


def add_redemptions(world, n, user):
    from points.services import redemption_reserve

    world.fixture("give")(user, n)
    for _ in range(n):
        redemption_reserve(actor=user, reward=the_reward(world), quantity=1)


def add_communities(world, n):
    for _ in range(n):
        CommunityFactory(name=f"社区{world.next()}")


def add_organizations(world, n):
    for _ in range(n):
        i = world.next()
        OrganizationFactory(community=world.community, name=f"组织{i}", status="verified" if i % 3 else "pending")


def add_lockouts(world, n):
    from axes.models import AccessAttempt

    for _ in range(n):
        user = MembershipFactory(community=world.community, role=Membership.Role.RESIDENT).user
        AccessAttempt.objects.create(
            username=user.username, ip_address="127.0.0.1", user_agent="pytest", http_accept="*/*", path_info="/api/v1/auth/token",
            get_data="", post_data="", failures_since_start=5,
        )


# --- The scenarios -----------------------------------------------------------------------------------
def api_scenarios(world: World) -> dict[str, Callable[[], Scenario]]:
    w = world
    later = timedelta(days=2)
    return {
        "GET /api/v1/communities": lambda: Scenario(lambda n: add_communities(w, n), api_get(None, "communities"), api_rows),
        "GET /api/v1/lockouts": lambda: Scenario(lambda n: add_lockouts(w, n), api_get(w.staff, "lockouts"), api_rows),
        "GET /api/v1/organizations": lambda: Scenario(lambda n: add_organizations(w, n), api_get(w.staff, "organizations"), api_rows),
        "GET /api/v1/notifications": lambda: Scenario(lambda n: add_notifications(w, n, w.resident), api_get(w.resident, "notifications"), api_rows),
        "GET /api/v1/me/invitations": lambda: Scenario(lambda n: add_invitations(w, n, w.resident), api_get(w.resident, "me/invitations"), api_rows),
        "GET /api/v1/me/guardians": lambda: Scenario(lambda n: add_guardians(w, n), api_get(w.resident, "me/guardians"), api_rows),
        "GET /api/v1/me/wards": lambda: Scenario(lambda n: add_wards(w, n), api_get(w.volunteer, "me/wards"), api_rows),
        "GET /api/v1/me/wards/{user_id}/needs": lambda: Scenario(
            lambda n: add_needs(w, n), api_get(looks_after_resident(w), f"me/wards/{w.resident.pk}/needs"), api_rows
        ),
        "GET /api/v1/points/entries": lambda: Scenario(lambda n: add_entries(w, n, w.volunteer), api_get(w.volunteer, "points/entries"), api_rows),
        "GET /api/v1/rewards": lambda: Scenario(lambda n: add_rewards(w, n), api_get(None, "rewards"), api_rows),
        "GET /api/v1/redemptions": lambda: Scenario(lambda n: add_redemptions(w, n, w.resident), api_get(w.staff, "redemptions"), api_rows),
        "GET /api/v1/tasks": lambda: Scenario(lambda n: add_tasks(w, n), api_get(None, "tasks"), api_rows),
        "GET /api/v1/needs": lambda: Scenario(lambda n: add_needs(w, n), api_get(w.staff, "needs"), api_rows),
        "GET /api/v1/needs/resolved": lambda: Scenario(lambda n: add_needs(w, n, resolved=True), api_get(w.volunteer, "needs/resolved"), api_rows),
        "GET /api/v1/consultations": lambda: Scenario(lambda n: add_consultations(w, n), api_get(w.resident, "consultations"), api_rows, later),
        "GET /api/v1/consultations/{consultation_id}/comments": lambda: Scenario(
            lambda n: add_comments(w, n), api_get(None, f"consultations/{the_consultation(w).pk}/comments"), api_rows
        ),
        "GET /api/v1/projects": lambda: Scenario(lambda n: add_projects(w, n), api_get(w.staff, "projects"), api_rows),
        "GET /api/v1/claims": lambda: Scenario(lambda n: add_claims(w, n), api_get(w.staff, "claims"), api_rows),
        "GET /api/v1/projects/{project_id}/bids": lambda: Scenario(
            lambda n: add_bids(w, n), api_get(w.staff, f"projects/{the_project(w).pk}/bids"), api_rows, later
        ),
        "GET /api/v1/projects/{project_id}/ranking": lambda: Scenario(
            lambda n: add_bids(w, n), api_get(w.staff, f"projects/{the_project(w).pk}/ranking"), api_rows, later
        ),
        "GET /api/v1/donations": lambda: Scenario(lambda n: add_donations(w, n, donor=w.resident), api_get(w.resident, "donations"), api_rows),
        "GET /api/v1/me/guardian-requests": lambda: Scenario(lambda n: add_guardian_requests(w, n), api_get(w.volunteer, "me/guardian-requests"), api_rows),
        "GET /api/v1/assistance/applications": lambda: Scenario(lambda n: add_applications(w, n), api_get(w.staff, "assistance/applications"), api_rows),
        "GET /api/v1/public/policies": lambda: Scenario(lambda n: add_policies(w, n), api_get(None, "public/policies"), api_rows),
        "GET /api/v1/public/service-items": lambda: Scenario(lambda n: add_service_items(w, n), api_get(None, "public/service-items"), api_rows),
        "GET /api/v1/public/funds": lambda: Scenario(lambda n: add_public_funds(w, n), api_get(None, "public/funds"), api_rows),
        "GET /api/v1/reports": lambda: Scenario(lambda n: add_reports(w, n), api_get(w.staff, "reports"), api_rows),
        "GET /api/v1/public/reports": lambda: Scenario(lambda n: add_reports(w, n, public=True), api_get(None, "public/reports"), api_rows),
        "GET /api/v1/budgets": lambda: Scenario(lambda n: add_budgets(w, n), api_get(None, "budgets"), api_rows),
        "GET /api/v1/budgets/{budget_id}/proposals": lambda: Scenario(
            lambda n: add_proposals(w, n), api_get(None, f"budgets/{the_budget(w).pk}/proposals"), api_rows
        ),
        "GET /api/v1/points/alliances": lambda: Scenario(lambda n: add_alliances(w, n), api_get(None, "points/alliances"), api_rows),
        # Deliberation (#32)
        "GET /api/v1/communities/{community_id}/stewards": lambda: Scenario(
            lambda n: add_stewards(w, n), api_get(w.resident, f"communities/{w.community.pk}/stewards"), api_rows
        ),
        "GET /api/v1/communities/{community_id}/issues": lambda: Scenario(
            lambda n: add_issues(w, n), api_get(w.resident, f"communities/{w.community.pk}/issues"), api_rows
        ),
        "GET /api/v1/communities/{community_id}/meetings": lambda: Scenario(
            lambda n: add_meetings(w, n), api_get(w.resident, f"communities/{w.community.pk}/meetings"), api_rows
        ),
        "GET /api/v1/conventions": lambda: Scenario(lambda n: add_conventions(w, n), api_get(None, "conventions"), api_rows),
        "GET /api/v1/conduct-rules": lambda: Scenario(lambda n: add_conduct_rules(w, n), api_get(None, "conduct-rules"), api_rows),
        "GET /api/v1/conduct-awards": lambda: Scenario(lambda n: add_conduct_awards(w, n), api_get(w.resident, "conduct-awards"), api_rows),
        "GET /api/v1/venues": lambda: Scenario(lambda n: add_venues(w, n), api_get(None, "venues"), api_rows),
        "GET /api/v1/bookings": lambda: Scenario(lambda n: add_bookings(w, n), api_get(w.staff, "bookings"), api_rows),
        "GET /api/v1/talents": lambda: Scenario(lambda n: add_talents(w, n), api_get(None, "talents"), api_rows),
        "GET /api/v1/community-groups": lambda: Scenario(lambda n: add_groups(w, n), api_get(None, "community-groups"), api_rows),
        "GET /api/v1/venues/{venue_id}/handovers": lambda: Scenario(
            lambda n: add_handovers(w, n), api_get(None, f"venues/{the_room(w).pk}/handovers"), api_rows
        ),
        "GET /api/v1/communities/{community_id}/venue-usage": lambda: Scenario(
            lambda n: add_bookings(w, n, confirm=True), api_get(w.staff, f"communities/{w.community.pk}/venue-usage"), api_rows
        ),
        "GET /api/v1/organizations/{organization_id}/annual-reports": lambda: Scenario(
            lambda n: add_annual_reports(w, n), api_get(w.staff, f"organizations/{the_org(w).pk}/annual-reports"), api_rows
        ),
        "GET /api/v1/activities": lambda: Scenario(lambda n: add_activities(w, n), api_get(w.staff, "activities"), api_rows),
    }


def add_stewards(w, n):
    from deliberation.services import steward_appoint

    for _ in range(n):
        person = MembershipFactory(community=w.community, role=Membership.Role.RESIDENT).user
        steward_appoint(actor=w.staff, community=w.community, user_id=person.pk)


def add_issues(w, n):
    from deliberation.services import issue_collect

    for _ in range(n):
        issue_collect(actor=w.staff, community=w.community, title=f"议题{w.next()}")


def add_meetings(w, n):
    from deliberation.services import meeting_call

    for _ in range(n):
        meeting_call(actor=w.staff, community=w.community, title=f"议事会{w.next()}", starts_at=timezone.now(), location="会议室", issue_ids=[])


def add_conventions(w, n):
    from deliberation import services

    steward = MembershipFactory(community=w.community, role=Membership.Role.RESIDENT).user
    services.steward_appoint(actor=w.staff, community=w.community, user_id=steward.pk)
    meeting = services.meeting_call(actor=w.staff, community=w.community, title="议事会", starts_at=timezone.now(), location="会议室", issue_ids=[])
    services.attendance_record(actor=w.staff, meeting=meeting, user_ids=[steward.pk])
    for _ in range(n):
        motion = services.motion_put(actor=w.staff, meeting=meeting, title=f"公约{w.next()}")
        services.motion_vote(actor=steward, motion=motion, vote="for")
        services.motion_close(actor=w.staff, motion=motion)
        services.convention_create(actor=w.staff, community=w.community, title=motion.title, text="条款", motion_id=motion.pk)


def add_conduct_rules(w, n):
    from deliberation.services import conduct_rule_create

    for _ in range(n):
        conduct_rule_create(actor=w.staff, community=w.community, title=f"文明行为{w.next()}", points=5)


def add_conduct_awards(w, n):
    from deliberation.services import conduct_award_propose, conduct_rule_create

    rule = conduct_rule_create(actor=w.staff, community=w.community, title=f"文明养犬{w.next()}", points=10)
    for _ in range(n):
        conduct_award_propose(actor=w.staff, rule=rule, user_id=w.resident.pk, evidence="拴绳遛狗")


def add_budgets(w, n):
    from budgets.services import budget_create

    for _ in range(n):
        budget_create(actor=w.staff, community=w.community, title=f"民生实事{w.next()}", amount=5_000_000,
                      voting_opens=timezone.now() + timedelta(days=3), voting_closes=timezone.now() + timedelta(days=9))


def the_budget(world):
    if not hasattr(world, "budget"):
        from budgets.services import budget_create

        world.budget = budget_create(actor=world.staff, community=world.community, title="民生实事", amount=5_000_000,
                                     voting_opens=timezone.now() + timedelta(days=3), voting_closes=timezone.now() + timedelta(days=9))
    return world.budget


def add_proposals(w, n):
    from budgets.services import proposal_create

    for _ in range(n):
        proposal_create(actor=w.resident, budget=the_budget(w), title=f"项目{w.next()}", text="x", cost=100_000)


def add_alliances(w, n):
    from points.services import alliance_create

    admin = UserFactory(is_superuser=True)
    for _ in range(n):
        alliance_create(actor=admin, community_ids=[CommunityFactory().pk, CommunityFactory().pk])


def add_guardian_requests(w, n):
    from accounts.models import Guardian

    Guardian.objects.bulk_create([Guardian(resident=UserFactory(), guardian=w.volunteer) for _ in range(n)])


def add_applications(w, n):
    from relief.services import application_submit

    for _ in range(n):
        application_submit(actor=w.resident, community=w.community, kind="minimum_living", reason=f"申请{w.next()}", household_size=2)


def add_policies(w, n):
    from affairs.services import policy_create

    for _ in range(n):
        policy_create(actor=w.staff, title=f"政策{w.next()}", category="elderly", issuer="江北区民政局", summary="摘要",
                      effective_at=date(2026, 1, 1), community=w.community)


def add_service_items(w, n):
    from affairs.services import service_item_create

    for _ in range(n):
        service_item_create(actor=w.staff, name=f"事项{w.next()}", category="elderly", where="便民服务中心", how_to_apply="带身份证", community=w.community)


def add_public_funds(w, n):
    from affairs.services import fund_create

    for _ in range(n):
        fund_create(actor=w.staff, name=f"资金{w.next()}", source="government", amount=100_000, year=2026, community=w.community)


def add_reports(w, n, *, public=False):
    from affairs.services import report_create, report_reply

    for _ in range(n):
        report = report_create(actor=w.resident, community=w.community, subject=f"问题{w.next()}", text="路灯坏了", anonymous=bool(n % 2))
        if public:
            report_reply(actor=w.staff, report=report, reply="已修好", status="resolved", public=True)


def add_venues(w, n):
    from resources.services import venue_create

    for _ in range(n):
        venue_create(actor=w.staff, community=w.community, name=f"活动室{w.next()}", capacity=20, open_hours_text="08:00-21:00")


def add_bookings(w, n, *, confirm=False):
    from resources.services import booking_approve, booking_request, venue_create

    for _ in range(n):
        i = w.next()
        room = venue_create(actor=w.staff, community=w.community, name=f"活动室{i}", capacity=20, open_hours_text="08:00-21:00")
        start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        booking = booking_request(actor=w.resident, venue=room, starts_at=start, ends_at=start + timedelta(hours=2), purpose="读书会", attendees=5)
        if confirm:
            booking_approve(actor=w.staff, booking=booking)


def the_room(w):
    from resources.services import venue_create

    if not hasattr(w, "room"):
        w.room = venue_create(actor=w.staff, community=w.community, name="原聚场", capacity=50, open_hours_text="08:00-21:00")
    return w.room


def add_handovers(w, n):
    from resources.services import handover_create

    today = timezone.localdate()
    for _ in range(n):
        i = w.next()
        org = OrganizationFactory(community=w.community, name=f"社团{i}")
        handover_create(actor=w.staff, venue=the_room(w), organization=org, weekday=1 + i % 7, starts=f"{8 + i // 7 % 12:02d}:00",
                        ends=f"{9 + i // 7 % 12:02d}:00", valid_from=today, valid_until=today + timedelta(days=30))


def the_org(w):
    if not hasattr(w, "org"):
        w.org = OrganizationFactory(community=w.community, name="重庆暖洋洋社会工作服务中心")
    return w.org


def add_annual_reports(w, n):
    from accounts.models import AnnualReport

    for _ in range(n):
        AnnualReport.objects.create(organization=the_org(w), year=1990 + w.next(), summary="年度活动", income=1, spending=1, filed_by=w.staff,
                                    filed_at=timezone.now())


def add_talents(w, n):
    from resources.services import talent_list_me

    for _ in range(n):
        person = MembershipFactory(community=w.community, role=Membership.Role.RESIDENT).user
        talent_list_me(actor=person, fields=["绘本", f"领域{w.next()}"], bio="讲故事", community=w.community)


def add_activities(w, n):
    from marketplace.services import TaskFields
    from resources.services import activity_propose, group_file

    for _ in range(n):
        i = w.next()
        group = OrganizationFactory(community=w.community, name=f"社团{i}", kind="community_group", status="pending")
        leader = UserFactory()
        OrganizationMember.objects.create(organization=group, user=leader, role=OrganizationMember.Role.ADMIN)
        group_file(actor=w.staff, organization=group, leader=leader)
        start = timezone.now() + timedelta(days=2)
        activity_propose(actor=leader, organization=group, fields=TaskFields(
            title=f"活动{i}", description="", category="culture", starts_at=start, ends_at=start + timedelta(hours=2), location="广场", slots=2,
            points=0, skills=[], beneficiary=None))


def add_groups(w, n):
    from resources.services import group_file

    for _ in range(n):
        group = OrganizationFactory(community=w.community, name=f"社团{w.next()}", kind="community_group", status="pending")
        leader = UserFactory()
        OrganizationMember.objects.create(organization=group, user=leader, role=OrganizationMember.Role.ADMIN)
        group_file(actor=w.staff, organization=group, leader=leader)


def page_scenarios(world: World) -> dict[str, Callable[[], Scenario]]:
    w = world
    c = w.community.pk
    return {
        "/tasks/": lambda: Scenario(lambda n: add_tasks(w, n), page_get(None, "/tasks/"), page_rows()),
        "/needs/": lambda: Scenario(lambda n: add_needs(w, n), page_get(w.staff, "/needs/"), page_rows()),
        "/needs/wards/{user_id}/": lambda: Scenario(lambda n: add_needs(w, n), page_get(looks_after_resident(w), f"/needs/wards/{w.resident.pk}/"), page_rows()),
        "/feedback/": lambda: Scenario(lambda n: add_needs(w, n, resolved=True), page_get(w.volunteer, "/feedback/"), page_rows()),
        "/communities/{community_id}/feedback/": lambda: Scenario(
            lambda n: add_needs(w, n, resolved=True), page_get(w.volunteer, f"/communities/{c}/feedback/"), page_rows()
        ),
        "/projects/": lambda: Scenario(lambda n: add_projects(w, n), page_get(w.staff, "/projects/"), page_rows()),
        "/communities/": lambda: Scenario(lambda n: add_communities(w, n), page_get(None, "/communities/"), page_rows()),
        "/organizations/": lambda: Scenario(lambda n: add_organizations(w, n), page_get(w.staff, "/organizations/"), page_rows()),
        "/claims/": lambda: Scenario(lambda n: add_claims(w, n), page_get(w.volunteer, "/claims/"), page_rows()),
        "/claims/queue/": lambda: Scenario(lambda n: add_claims(w, n, submitted=True), page_get(w.staff, "/claims/queue/"), page_rows()),
        "/donations/": lambda: Scenario(lambda n: add_donations(w, n, donor=w.resident), page_get(w.resident, "/donations/"), page_rows()),
        "/notifications/": lambda: Scenario(lambda n: add_notifications(w, n, w.resident), page_get(w.resident, "/notifications/"), page_rows()),
        "/points/": lambda: Scenario(lambda n: add_entries(w, n, w.volunteer), page_get(w.volunteer, "/points/"), page_rows()),
        "/communities/{community_id}/rewards/": lambda: Scenario(
            lambda n: add_rewards(w, n), page_get(w.resident, f"/communities/{c}/rewards/"), page_rows("rewards")
        ),
        "/consultations/community/{community_id}/": lambda: Scenario(
            lambda n: add_consultations(w, n), page_get(w.resident, f"/consultations/community/{c}/"), page_rows("consultations")
        ),
        "/accounts/lockouts/": lambda: Scenario(lambda n: add_lockouts(w, n), page_get(w.staff, "/accounts/lockouts/"), page_rows("accounts")),
        "/volunteers/{user_id}/record/": lambda: Scenario(
            lambda n: add_verified_claims(w, n), page_get(w.volunteer, f"/volunteers/{w.volunteer.pk}/record/"), page_rows("lines")
        ),
        "/communities/{community_id}/points/": lambda: Scenario(
            lambda n: add_redemptions(w, n, w.resident), page_get(w.staff, f"/communities/{c}/points/"), page_rows("reserved")
        ),
        "/communities/{community_id}/funds/": lambda: Scenario(
            lambda n: add_spendings(w, n), page_get(None, f"/communities/{c}/funds/"), page_rows("spendings")
        ),
    }


def add_guardians(w, n):
    from accounts.models import Guardian

    Guardian.objects.bulk_create([Guardian(resident=w.resident, guardian=UserFactory(), accepted_at=timezone.now()) for _ in range(n)])


def looks_after_resident(w):
    """A guardian the resident named (#22)."""
    from accounts.models import Guardian

    return Guardian.objects.create(resident=w.resident, guardian=UserFactory(), accepted_at=timezone.now()).guardian


def add_wards(w, n):
    from accounts.models import Guardian

    Guardian.objects.bulk_create([Guardian(resident=UserFactory(), guardian=w.volunteer, accepted_at=timezone.now()) for _ in range(n)])


def check_constant(name: str, scenario: Scenario, expected: int, *, paged: bool):
    def ask(size):
        if scenario.later is None:
            return measure(lambda: scenario.get(size))
        with time_machine.travel(timezone.now() + scenario.later):
            return measure(lambda: scenario.get(size))

    scenario.add(FEW)
    ask(1)  # warm up: the token's "last used" write, first-use caches
    few, few_response = ask(1)
    assert scenario.rows(few_response) >= 1, f"{name}: the viewer sees no rows; the scenario is wrong"
    scenario.add(MANY - FEW)
    many, many_response = ask(50)
    assert scenario.rows(many_response) >= (MANY if not paged else 20), f"{name}: only {scenario.rows(many_response)} rows shown"
    assert len(few) == len(many) == expected, (
        f"{name}: expected {expected} queries; {len(few)} with {FEW} rows, {len(many)} with {MANY} rows.\n"
        f"With {FEW} rows:\n{show(few)}\nWith {MANY} rows:\n{show(many)}"
    )


def list_operations_in_schema() -> set[str]:
    schema = ninja_api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        body = get["responses"].get(200, {}).get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[-1]]
        properties = body.get("properties", {})
        if body.get("type") == "array" or ("items" in properties and "count" in properties):
            found.add(f"GET {path}")
    return found


def test_every_list_endpoint_of_the_api_has_a_row():
    listed = list_operations_in_schema()
    assert listed, "no list endpoints found in the schema: has the pagination's shape changed?"
    assert listed - set(API_LIST_QUERIES) == set(), "list endpoints without a query count: add them to API_LIST_QUERIES"
    assert set(API_LIST_QUERIES) - listed == set(), "rows for endpoints that are no longer lists"


@pytest.mark.parametrize(("endpoint", "expected"), API_LIST_QUERIES.items(), ids=list(API_LIST_QUERIES))
def test_an_api_list_costs_a_fixed_number_of_queries(world, endpoint, expected):
    scenario = api_scenarios(world)[endpoint]()
    check_constant(endpoint, scenario, expected, paged=False)


@pytest.mark.parametrize(("page", "expected"), PAGE_QUERIES.items(), ids=list(PAGE_QUERIES))
def test_a_list_page_costs_a_fixed_number_of_queries(world, page, expected):
    scenario = page_scenarios(world)[page]()
    check_constant(page, scenario, expected, paged=True)


# --- Signed-in pages (issue #18): what a volunteer reads all day costs a fixed number of queries -----
# A volunteer signed in (a session for the pages, a token for the API) as the rows they see grow
# from a few to many. Page loads count the session and the user; the navigation reads the person's
# memberships once with the page (accounts.selectors.my_memberships) and their unread count.
SIGNED_IN_QUERIES = {
    "/": 12,  # + memberships, wards, my open claims (the next one and those to submit: one query, was two), totals with hours this year, points, unread, which services wait for me (to confirm and to rate are read only when there are some: a volunteer who is nobody's beneficiary pays one query, was two), invitations, my tasks, skills (replies to my needs are in the notifications, #28)
    "/tasks/": 8,  # + memberships, communities, capped count, unread, page, skills
    "/tasks/?community={community_id}": 8,
    "GET /api/v1/tasks?community=..&category=..&has_slots=true (token)": 4,  # token, page, count, skills
    "GET /api/v1/tasks?q=理发 (token)": 4,
    "/claims/": 7,  # + count, memberships, unread, page, its corrections
    "/points/": 8,  # + memberships, balances, entries count, unread, redemptions, entries
}


def signed_in_scenarios(world: World) -> dict[str, Callable[[], Scenario]]:
    w = world
    c = w.community.pk

    def elder_tasks(n):
        add_tasks(w, n, category="elder_care")

    def haircut_tasks(n):
        for _ in range(n):
            i = w.next()
            w.task(days=i, title=f"义务理发进社区{i}", skills=["理发"])

    def claimed_and_verified(n):
        add_claims(w, n - n // 2)
        add_verified_claims(w, n // 2)

    def shown(key):
        return page_rows(key)

    return {
        "/": lambda: Scenario(claimed_and_verified, page_get(w.volunteer, "/"), shown("my_tasks")),
        "/tasks/": lambda: Scenario(lambda n: add_tasks(w, n), page_get(w.volunteer, "/tasks/"), page_rows()),
        "/tasks/?community={community_id}": lambda: Scenario(
            lambda n: add_tasks(w, n), page_get(w.volunteer, f"/tasks/?community={c}"), page_rows()
        ),
        "GET /api/v1/tasks?community=..&category=..&has_slots=true (token)": lambda: Scenario(
            elder_tasks, api_get(w.volunteer, "tasks", community=c, category="elder_care", has_slots="true"), api_rows
        ),
        "GET /api/v1/tasks?q=理发 (token)": lambda: Scenario(haircut_tasks, api_get(w.volunteer, "tasks", q="理发"), api_rows),
        "/claims/": lambda: Scenario(claimed_and_verified, page_get(w.volunteer, "/claims/"), page_rows()),
        "/points/": lambda: Scenario(lambda n: add_entries(w, n, w.volunteer), page_get(w.volunteer, "/points/"), page_rows()),
    }


@pytest.mark.parametrize(("page", "expected"), SIGNED_IN_QUERIES.items(), ids=list(SIGNED_IN_QUERIES))
def test_a_signed_in_page_costs_a_fixed_number_of_queries_as_rows_grow(world, page, expected):
    scenario = signed_in_scenarios(world)[page]()
    scenario.add(FEW)
    scenario.get(1)  # warm up: first-use caches, the token's "last used" write
    few, few_response = measure(lambda: scenario.get(1))
    assert scenario.rows(few_response) >= 1, f"{page}: the volunteer sees no rows; the scenario is wrong"
    scenario.add(MANY - FEW)
    many, many_response = measure(lambda: scenario.get(50))
    assert scenario.rows(many_response) > scenario.rows(few_response) or scenario.rows(many_response) >= 4, f"{page}: no more rows shown"
    assert len(few) == len(many) == expected, (
        f"{page}: expected {expected} queries; {len(few)} with {FEW} rows, {len(many)} with {MANY} rows.\n"
        f"With {FEW} rows:\n{show(few)}\nWith {MANY} rows:\n{show(many)}"
    )


# --- The new pages of issue #35 at scale: each costs a fixed number of queries as its rows grow ------
# The assistance inbox (staff), the policy search, a room's week and a budget's results, each read
# by the person who reads it most (bench/issue35.py measures the same pages under load).
NEW_PAGE_QUERIES = {
    "/communities/{community_id}/assistance/": 9,  # session, user, community, staff check, memberships, unread, waiting, others and their capped count (was 8 + one a waiting row)
    "/affairs/policies/?q=政策": 7,  # count, session, user, memberships, unread, service items, page (community joined)
    "/resources/venues/{venue_id}/?week=next": 9,  # room, session, user, staff check, the week's bookings, handovers, memberships, unread, my organisations
    "/budgets/{budget_id}/ (closed: the results)": 10,  # budget, proposals, session, user, staff and resident checks, my ballot, ballot counts, memberships, unread
}


def add_week_bookings(w, n):
    """n bookings of one room next week, half of them confirmed: 4 two-hour slots a day."""
    from resources.services import booking_approve, booking_request

    room, monday = the_room(w), next_monday()
    for _ in range(n):
        i = w.next() - 1
        day, hour = monday + timedelta(days=i % 7), 8 + 3 * (i // 7 % 4)
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))
        booking = booking_request(actor=w.resident, venue=room, starts_at=start, ends_at=start + timedelta(hours=2), purpose=f"读书会{i}", attendees=5)
        if i % 2:
            booking_approve(actor=w.staff, booking=booking)


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def week_blocks(response) -> int:
    return sum(len(blocks) for _day, blocks in response.context["days"])


def the_closed_budget(w):
    """A budget whose voting is over and counted (written as budget_close leaves it)."""
    from budgets.models import Budget

    if not hasattr(w, "closed_budget"):
        now = timezone.now()
        w.closed_budget = Budget.objects.create(
            community=w.community, title="去年的民生实事", amount=5_000_000, voting_opens=now - timedelta(days=20),
            voting_closes=now - timedelta(days=2), closed_at=now - timedelta(days=1), closed_by=w.staff, created_by=w.staff,
        )
    return w.closed_budget


def add_counted_proposals(w, n):
    """n counted proposals, each chosen on a ballot of a resident of the community."""
    from budgets.models import Ballot, BallotChoice, Proposal

    budget = the_closed_budget(w)
    for _ in range(n):
        i = w.next()
        proposal = Proposal.objects.create(budget=budget, title=f"项目{i}", text="x", cost=100_000, proposer=w.resident, status="feasible",
                                           votes_online=1, rank=i, outcome="won")
        voter = MembershipFactory(community=w.community, role=Membership.Role.RESIDENT).user
        BallotChoice.objects.create(ballot=Ballot.objects.create(budget=budget, voter=voter, channel="online"), proposal=proposal)


def new_page_scenarios(world: World) -> dict[str, Callable[[], Scenario]]:
    w = world
    return {
        "/communities/{community_id}/assistance/": lambda: Scenario(
            lambda n: add_applications(w, n), page_get(w.staff, f"/communities/{w.community.pk}/assistance/"), page_rows("others")
        ),
        "/affairs/policies/?q=政策": lambda: Scenario(lambda n: add_policies(w, n), page_get(w.resident, "/affairs/policies/?q=政策"), page_rows()),
        "/resources/venues/{venue_id}/?week=next": lambda: Scenario(
            lambda n: add_week_bookings(w, n), page_get(w.resident, f"/resources/venues/{the_room(w).pk}/?week={next_monday().isoformat()}"), week_blocks
        ),
        "/budgets/{budget_id}/ (closed: the results)": lambda: Scenario(
            lambda n: add_counted_proposals(w, n), page_get(w.resident, f"/budgets/{the_closed_budget(w).pk}/"), page_rows("proposals")
        ),
    }


@pytest.mark.parametrize(("page", "expected"), NEW_PAGE_QUERIES.items(), ids=list(NEW_PAGE_QUERIES))
def test_a_new_page_costs_a_fixed_number_of_queries_as_rows_grow(world, page, expected):
    scenario = new_page_scenarios(world)[page]()
    check_constant(page, scenario, expected, paged=page.startswith("/affairs/policies/"))


@pytest.mark.django_db
def test_the_task_page_reads_whether_the_viewer_is_staff_or_volunteers_there_with_the_task(volunteer, staff, make_task):
    """A task's page asks two questions of the person (staff of its community? volunteer there?):
    both are answered in the task's own query (accounts.selectors.with_viewer_roles), so the page
    reads the person's memberships once, for the navigation. A volunteer may take the task; staff
    see its claims; both answers are the ones the separate reads gave."""
    task = make_task(title="读报")
    volunteer_page = browser(volunteer)
    volunteer_page.get(f"/tasks/{task.pk}/")  # the session and CSRF cookie settled
    with CaptureQueriesContext(connection) as queries:
        response = volunteer_page.get(f"/tasks/{task.pk}/")
    membership_reads = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_membership"' in q["sql"] and '"marketplace_task"' not in q["sql"]]
    assert len(membership_reads) == 1, membership_reads
    assert len(queries.captured_queries) == 9, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    assert response.context["can_claim"] and not response.context["is_staff"]
    staff_view = browser(staff).get(f"/tasks/{task.pk}/")
    assert staff_view.context["is_staff"] and staff_view.context["claims"] is not None

"""Named fixtures for the people every test talks about, and an API client that speaks bearer."""

import json
import os

import pytest
from django.test import Client

from accounts.models import Membership, OrganizationMember
from accounts.services import token_create
from tests.factories import CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory, UserFactory

ON_POSTGRES = bool(os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")))
ON_REDIS = bool(os.environ.get("REDIS_URL"))

needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL (the second CI pass does)")
needs_redis = pytest.mark.skipif(not ON_REDIS, reason="needs Redis: set REDIS_URL (the second CI pass does)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no attempts counted (core/ratelimit.py), whatever ran before."""
    from core.ratelimit import reset
    from core.redisguard import breaker

    reset()
    breaker.reset()  # nor a Redis outage another test made (core/redisguard.py)


class ApiClient:
    """A thin JSON client for /api/v1/ that authenticates with a bearer token, like a mobile app."""

    def __init__(self, user=None, language: str = "zh-hans"):
        self.client = Client(HTTP_ACCEPT_LANGUAGE=language)
        self.headers = {}
        if user is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user)}"

    def _call(self, method, path, data=None, **extra):
        kwargs = {**self.headers, **extra}
        url = path if path.startswith("/") else f"/api/v1/{path}"
        if method in ("get", "delete"):
            return getattr(self.client, method)(url, data or {}, **kwargs)
        body = json.dumps(data if data is not None else {})
        return getattr(self.client, method)(url, body, content_type="application/json", **kwargs)

    def get(self, path, params=None, **extra):
        return self._call("get", path, params, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts kept in the cache (wrong check-in codes per claim) belong to one test: ids are reused."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api():
    """api() is anonymous; api(user) calls as that user; api(user, language="en") in English."""
    return ApiClient


@pytest.fixture
def community(db):
    return CommunityFactory(name="锣旗寺社区")


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="东原社区")


@pytest.fixture
def staff(community):
    return MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff").user


@pytest.fixture
def other_staff(other_community):
    return MembershipFactory(community=other_community, role=Membership.Role.STAFF, user__username="other_staff").user


@pytest.fixture
def volunteer(community):
    return MembershipFactory(community=community, role=Membership.Role.VOLUNTEER, user__username="volunteer").user


@pytest.fixture
def resident(community):
    return MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="resident").user


@pytest.fixture
def superuser(db):
    user = UserFactory(username="district_admin", is_superuser=True, is_staff=True)
    return user


@pytest.fixture
def outsider(db):
    """A registered person who belongs to no community."""
    return UserFactory(username="outsider")


@pytest.fixture
def org_admin(community):
    org = OrganizationFactory(community=community, name="重庆暖洋洋社会工作服务中心")
    return OrganizationMemberFactory(organization=org, role=OrganizationMember.Role.ADMIN, user__username="org_admin").user


def browser(user=None, language: str = "zh-hans") -> Client:
    """A web browser with a language preference, logged in as ``user`` when given."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def error_of(response) -> tuple[int, str]:
    """(status, code) of an API error response, for one-line assertions."""
    return response.status_code, response.json().get("code")


# --- Tasks -------------------------------------------------------------------------------------------
@pytest.fixture
def make_task(community, staff):
    """make_task(**overrides): an open task of the community, tomorrow 09:00–11:00, 2 slots, 10 points."""
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.services import TaskFields, task_create

    def _make(**overrides):
        start = overrides.pop("starts_at", None) or (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        fields = {
            "title": "陪伴独居老人",
            "description": "上门聊天、读报",
            "category": "elder_care",
            "starts_at": start,
            "ends_at": overrides.pop("ends_at", None) or start + timedelta(hours=2),
            "location": "锣旗寺社区 3 栋",
            "slots": 2,
            "points": 10,
            "skills": [],
            "beneficiary": None,
        }
        target_community = overrides.pop("community", community)
        actor = overrides.pop("actor", staff)
        draft = overrides.pop("draft", False)
        fields.update(overrides)
        return task_create(actor=actor, community=target_community, fields=TaskFields(**fields), draft=draft)

    return _make


@pytest.fixture
def task(make_task):
    return make_task()


# --- Points ------------------------------------------------------------------------------------------
@pytest.fixture
def funded(community, superuser):
    """The community's pool, budgeted 10,000 points by the district."""
    from points import services

    services.points_budget(actor=superuser, community=community, amount=10_000)
    return community


@pytest.fixture
def give(funded):
    """give(user, n): award n points to a member of the funded community."""

    from points import services

    def _give(user, amount):
        return services.points_award(
            actor=None, community=funded, user=user, amount=amount, idempotency_key=services.new_key("test-award")
        )

    return _give


# --- A committed little world for tests that go through the ASGI application in other threads -----
@pytest.fixture
def board_world(transactional_db):
    """(community, staff, volunteer, task, fields): one open task for tomorrow with 3 slots, made
    through the services. For websocket and ASGI tests, whose requests run on other connections."""
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.services import TaskFields, task_create

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="ws_staff").user
    volunteer = MembershipFactory(community=community, role="volunteer", user__username="ws_volunteer").user
    start = timezone.now() + timedelta(days=1)
    fields = TaskFields(
        title="陪伴独居老人", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=2),
        location="3 栋", slots=3, points=10, skills=[], beneficiary=None,
    )
    task = task_create(actor=staff, community=community, fields=fields)
    return community, staff, volunteer, task, fields

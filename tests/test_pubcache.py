"""The shared cache of anonymous public task lists (core/pubcache.py), through the real ASGI
application as uvicorn serves it: repeated reads come from Redis, and no list older than the last
change to a task is ever served."""

import json
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from accounts.services import token_create
from config.asgi import application
from core import pubcache
from core.redisguard import breaker
from marketplace.models import Task
from marketplace.services import task_update
from orders.services import claim_create
from tests.conftest import needs_redis

pytestmark = [pytest.mark.django_db(transaction=True), needs_redis]
LIST = "/api/v1/tasks"


@pytest.fixture(autouse=True)
def public_cache(settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.PUBLIC_CACHE_PATHS = {"/tasks/": "tasks", "/api/v1/tasks": "tasks"}
    breaker.reset()  # forget an outage another test made
    pubcache.bump("tasks")  # outside a transaction: at once; nothing from an earlier test is current


@pytest.fixture
def world(board_world):
    _community, staff, volunteer, task, fields = board_world
    return staff, volunteer, task, fields


def get(path, query="", headers=()):
    async def call():
        communicator = HttpCommunicator(application, "GET", f"{path}?{query}" if query else path, headers=[(b"host", b"testserver"), *headers])
        response = await communicator.get_response(timeout=30)
        await communicator.wait(timeout=30)  # let Django finish (it returns its connection then)
        return response

    response = async_to_sync(call)()
    response["headers"] = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    return response


def items(response):
    assert response["status"] == 200
    return json.loads(response["body"])["items"]


def quietly_retitle(task, title):
    """A change that bypasses every service and signal: only a cached answer still shows the old title."""
    Task.objects.filter(pk=task.pk).update(title=title)


def test_a_repeated_anonymous_read_is_the_stored_answer(world):
    _staff, _volunteer, task, _fields = world
    first = get(LIST, "page_size=20")
    quietly_retitle(task, "改过的标题")
    again = get(LIST, "page_size=20")
    assert items(again)[0]["title"] == "陪伴独居老人" and again["body"] == first["body"]
    assert again["headers"]["x-content-type-options"] == "nosniff"  # Django's security headers kept
    assert again["headers"]["content-type"].startswith("application/json")
    assert items(get(LIST, "page_size=21"))[0]["title"] == "改过的标题"  # another address: its own answer


def test_a_claim_shows_in_the_next_anonymous_read(world):
    _staff, volunteer, task, _fields = world
    assert items(get(LIST))[0]["slots_taken"] == 0
    claim_create(actor=volunteer, task=task)  # commits: the generation is renewed
    assert items(get(LIST))[0]["slots_taken"] == 1


def test_an_edited_title_shows_on_the_board_page_at_once(world):
    staff, _volunteer, task, fields = world
    assert "陪伴独居老人" in get("/tasks/")["body"].decode()
    fields.title = "义务理发进社区"
    task_update(actor=staff, task=task, fields=fields)
    page = get("/tasks/")["body"].decode()
    assert "义务理发进社区" in page and "陪伴独居老人" not in page


def test_a_reader_with_a_token_or_a_session_is_never_served_from_it(world):
    staff, _volunteer, task, _fields = world
    get(LIST)
    quietly_retitle(task, "改过的标题")
    token = token_create(user=staff)
    assert items(get(LIST, headers=[(b"authorization", f"Bearer {token}".encode())]))[0]["title"] == "改过的标题"
    assert items(get(LIST, headers=[(b"cookie", b"sessionid=whatever")]))[0]["title"] == "改过的标题"
    assert items(get(LIST))[0]["title"] == "陪伴独居老人"


def test_each_language_has_its_own_page(world):
    chinese = get("/tasks/")["body"].decode()
    english = get("/tasks/", headers=[(b"accept-language", b"en")])["body"].decode()
    by_cookie = get("/tasks/", headers=[(b"cookie", b"django_language=en")])["body"].decode()
    assert "任务大厅" in chinese and "Task board" in english and "Task board" in by_cookie


def test_a_failed_answer_is_not_kept(world):
    bad = get(LIST, "starts_after=not-a-date")
    assert bad["status"] in (400, 422)
    assert get(LIST, "starts_after=not-a-date")["status"] == bad["status"]
    assert "set-cookie" not in bad["headers"]


def test_an_unreachable_redis_only_costs_speed_and_is_left_alone_for_a_while(world, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = get(LIST)
    assert response["status"] == 200 and items(response)[0]["title"] == "陪伴独居老人"
    wrapper = application.application_mapping["http"]
    while not isinstance(wrapper, pubcache.PublicCache):  # behind core.bodylimit.BodyLimit
        wrapper = wrapper.app
    assert breaker.is_open  # the next requests do not knock again for a few seconds
    with mock.patch.object(wrapper, "_client", side_effect=AssertionError("Redis asked during the pause")):
        assert get(LIST)["status"] == 200


def test_without_the_setting_nothing_is_kept(world, settings):
    _staff, _volunteer, task, _fields = world
    settings.PUBLIC_CACHE_SECONDS = 0
    get(LIST)
    quietly_retitle(task, "改过的标题")
    assert items(get(LIST))[0]["title"] == "改过的标题"


def test_an_address_with_made_up_parameters_is_not_kept(world):
    _staff, _volunteer, task, _fields = world
    get(LIST, "page_size=20&utm=abc")
    quietly_retitle(task, "改过的标题")
    assert items(get(LIST, "page_size=20&utm=abc"))[0]["title"] == "改过的标题"


def _marked(token) -> bool:
    return pubcache._sync_client().exists(pubcache._viewer_key(pubcache_hash(token))) == 1


def pubcache_hash(token) -> str:
    from accounts.services import hash_token

    return hash_token(token)


def test_a_volunteer_token_is_served_the_shared_answer_once_django_has_answered_it(world):
    _staff, volunteer, task, _fields = world
    get(LIST)  # the anonymous answer is kept
    quietly_retitle(task, "改过的标题")
    token = token_create(user=volunteer)
    bearer = [(b"authorization", f"Bearer {token}".encode())]
    assert items(get(LIST, headers=bearer))[0]["title"] == "改过的标题"  # Django answers, and marks the token
    assert _marked(token)
    assert items(get(LIST, headers=bearer))[0]["title"] == "陪伴独居老人"  # now the shared answer: Django not asked
    assert get(LIST, headers=[(b"authorization", b"Bearer not-a-token")])["status"] == 200  # unknown: Django decides


def test_a_volunteer_made_staff_stops_being_served_the_shared_answer_at_once(world):
    from accounts.models import Membership

    staff, volunteer, task, fields = world
    get(LIST)
    token = token_create(user=volunteer)
    bearer = [(b"authorization", f"Bearer {token}".encode())]
    get(LIST, headers=bearer)
    assert _marked(token)
    Membership.objects.create(user=volunteer, community=task.community, role=Membership.Role.STAFF)
    assert not _marked(token)
    quietly_retitle(task, "改过的标题")
    assert items(get(LIST, headers=bearer))[0]["title"] == "改过的标题"  # Django again: staff may see drafts
    assert not _marked(token)  # and it is not marked again


def test_a_revoked_token_loses_its_mark(world):
    from accounts.services import token_revoke

    _staff, volunteer, _task, _fields = world
    token = token_create(user=volunteer)
    get(LIST, headers=[(b"authorization", f"Bearer {token}".encode())])
    assert _marked(token)
    token_revoke(actor=volunteer, raw=token)
    assert not _marked(token)


def test_a_signed_in_board_keeps_its_shared_part_until_a_task_changes(world):
    from tests.conftest import browser

    _staff, volunteer, task, _fields = world
    client = browser(volunteer)
    first = client.get("/tasks/").content.decode()
    assert "陪伴独居老人" in first and volunteer.shown_name in first  # the navigation is hers
    quietly_retitle(task, "改过的标题")
    kept = client.get("/tasks/").content.decode()
    assert "陪伴独居老人" in kept  # the list part was kept
    claim_create(actor=volunteer, task=task)  # a change to a task: the kept part is stale at once
    after = client.get("/tasks/").content.decode()
    assert "改过的标题" in after and "陪伴独居老人" not in after


def test_each_person_gets_the_board_of_their_own_communities(world):
    from accounts.models import Membership
    from tests.conftest import browser
    from tests.factories import CommunityFactory, MembershipFactory

    _staff, volunteer, task, fields = world
    elsewhere = MembershipFactory(community=CommunityFactory(name="东原社区"), role=Membership.Role.VOLUNTEER, user__username="ws_other").user
    assert "陪伴独居老人" in browser(volunteer).get("/tasks/").content.decode()
    other = browser(elsewhere).get("/tasks/").content.decode()
    assert elsewhere.shown_name in other and "陪伴独居老人" not in other  # her own communities: not the other's tasks


# --- One build per address and generation: the readers who miss together wait for it (#35) ---------
def _stub_app(status=200, delay=0.2):
    calls = []

    async def app(scope, receive, send):
        import asyncio

        calls.append(scope["path"])
        await asyncio.sleep(delay)  # a slow build: the others arrive meanwhile
        body = json.dumps({"items": [{"title": f"build {len(calls)}"}]}).encode()
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app, calls


def _many(app, n, path=LIST):
    import asyncio

    async def one():
        communicator = HttpCommunicator(app, "GET", path, headers=[(b"host", b"testserver")])
        return await communicator.get_response(timeout=10)

    async def all_at_once():
        return await asyncio.gather(*(one() for _ in range(n)))

    return async_to_sync(all_at_once)()


def test_readers_who_miss_together_get_one_build_and_a_change_starts_a_new_one():
    app, calls = _stub_app()
    cache = pubcache.PublicCache(app)
    answers = _many(cache, 12)
    assert len(calls) == 1  # twelve readers, one build
    assert {a["status"] for a in answers} == {200} and {json.loads(a["body"])["items"][0]["title"] for a in answers} == {"build 1"}
    pubcache.bump("tasks")  # a change: the next readers get a new build, not the old answer
    answers = _many(cache, 5)
    assert len(calls) == 2 and {json.loads(a["body"])["items"][0]["title"] for a in answers} == {"build 2"}


def test_readers_waiting_for_an_answer_that_cannot_be_shared_ask_django_themselves():
    app, calls = _stub_app(status=503)
    answers = _many(pubcache.PublicCache(app), 4)
    assert len(calls) == 4 and {a["status"] for a in answers} == {503}

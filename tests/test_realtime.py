"""Live pushes over websockets: who may listen, what they hear, and that nothing breaks without Redis."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing.websocket import WebsocketCommunicator  # (channels.testing itself needs daphne)
from django.db import connection
from django.test import Client

from accounts.models import Notification
from accounts.services import token_create
from config.asgi import application
from marketplace.services import task_create
from orders.services import claim_create, task_cancel
from tests.conftest import needs_postgres, needs_redis
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def world(board_world):
    return board_world


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def run(coro_fn):
    return async_to_sync(coro_fn)()


# --- /ws/notifications/ ----------------------------------------------------------------------------
def test_anonymous_sockets_are_refused():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/")
        connected, code = await communicator.connect()
        assert (connected, code) == (False, 4401)

    run(scenario)


def test_a_bad_token_is_refused(world):
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/?token=not-a-token")
        connected, code = await communicator.connect()
        assert (connected, code) == (False, 4401)

    run(scenario)


def test_a_person_hears_their_own_notification_by_session_and_others_hear_nothing(world):
    community, staff, volunteer, task, _fields = world
    claim_create(actor=volunteer, task=task)
    bystander = MembershipFactory(community=community, role="volunteer").user
    mine, theirs = session_cookie(volunteer), session_cookie(bystander)

    async def scenario():
        me = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", mine)])
        other = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", theirs)])
        assert (await me.connect())[0] and (await other.connect())[0]
        await database_sync_to_async(task_cancel)(actor=staff, task=task, reason="暴雨")
        message = await me.receive_json_from(timeout=3)
        assert message["type"] == "notification" and message["kind"] == "task_cancelled"
        assert "陪伴独居老人" in message["message"]
        assert await other.receive_nothing(timeout=0.3)
        await me.disconnect()
        await other.disconnect()

    run(scenario)
    assert Notification.objects.get(user=volunteer).kind == "task_cancelled"


def test_a_token_in_the_query_string_authenticates(world):
    community, staff, volunteer, task, _fields = world
    claim_create(actor=volunteer, task=task)
    token = token_create(user=volunteer)

    async def scenario():
        me = WebsocketCommunicator(application, f"/ws/notifications/?token={token}")
        assert (await me.connect())[0]
        await database_sync_to_async(task_cancel)(actor=staff, task=task)
        assert (await me.receive_json_from(timeout=3))["kind"] == "task_cancelled"
        await me.disconnect()

    run(scenario)


def test_a_socket_from_another_site_is_refused_but_same_site_is_allowed(world):
    _community, _staff, volunteer, _task, _fields = world
    cookie = session_cookie(volunteer)

    async def scenario():
        evil = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")])
        assert (await evil.connect())[0] is False
        ours = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", cookie), (b"origin", b"http://testserver")])
        assert (await ours.connect())[0] is True
        await ours.disconnect()

    run(scenario)


# --- the task board ------------------------------------------------------------------------------------
def test_the_board_hears_slots_taken_and_freed_and_cancellations(world):
    community, staff, volunteer, task, _fields = world

    async def scenario():
        board = WebsocketCommunicator(application, f"/ws/communities/{community.pk}/tasks/")
        district = WebsocketCommunicator(application, "/ws/tasks/")
        assert (await board.connect())[0] and (await district.connect())[0]
        claim = await database_sync_to_async(claim_create)(actor=volunteer, task=task)
        message = await board.receive_json_from(timeout=3)
        assert message["type"] == "task" and message["event"] == "updated"
        assert (message["task"]["id"], message["task"]["slots_taken"], message["task"]["slots_free"]) == (task.pk, 1, 2)
        assert (await district.receive_json_from(timeout=3))["task"]["slots_taken"] == 1
        from orders.services import claim_withdraw

        await database_sync_to_async(claim_withdraw)(actor=volunteer, claim=claim)
        assert (await board.receive_json_from(timeout=3))["task"]["slots_taken"] == 0
        await database_sync_to_async(task_cancel)(actor=staff, task=task)
        cancelled = await board.receive_json_from(timeout=3)
        assert cancelled["event"] == "cancelled" and cancelled["task"]["status"] == "cancelled"
        await board.disconnect()
        await district.disconnect()

    run(scenario)


def test_new_tasks_are_announced_but_drafts_never(world):
    community, staff, _volunteer, _task, fields = world

    async def scenario():
        board = WebsocketCommunicator(application, f"/ws/communities/{community.pk}/tasks/")
        assert (await board.connect())[0]
        await database_sync_to_async(task_create)(actor=staff, community=community, fields=fields, draft=True)
        assert await board.receive_nothing(timeout=0.3)
        await database_sync_to_async(task_create)(actor=staff, community=community, fields=fields)
        message = await board.receive_json_from(timeout=3)
        assert message["event"] == "created" and message["task"]["status"] == "open"
        await board.disconnect()

    run(scenario)


def test_another_communitys_board_hears_nothing(world):
    _community, _staff, volunteer, task, _fields = world
    elsewhere = CommunityFactory()

    async def scenario():
        board = WebsocketCommunicator(application, f"/ws/communities/{elsewhere.pk}/tasks/")
        assert (await board.connect())[0]
        await database_sync_to_async(claim_create)(actor=volunteer, task=task)
        assert await board.receive_nothing(timeout=0.3)
        await board.disconnect()

    run(scenario)


def test_a_board_of_a_community_that_does_not_exist_is_refused():
    async def scenario():
        board = WebsocketCommunicator(application, "/ws/communities/987654/tasks/")
        assert await board.connect() == (False, 4404)

    run(scenario)


# --- without Redis -------------------------------------------------------------------------------------
def test_with_redis_down_the_api_answers_and_the_notification_is_stored(world, settings):
    _community, staff, volunteer, task, _fields = world
    claim_create(actor=volunteer, task=task)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]},  # nothing listens there
        }
    }
    channel_layers.backends = {}
    try:
        client = Client()
        client.force_login(staff)
        started = time.monotonic()
        response = client.post(f"/api/v1/tasks/{task.pk}/cancel", "{}", content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "cancelled"
        assert time.monotonic() - started < 10
    finally:
        channel_layers.backends = {}
    assert Notification.objects.get(user=volunteer).kind == "task_cancelled"


# --- across processes (PostgreSQL + Redis) -----------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(100):
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


@needs_postgres
@needs_redis
def test_a_change_through_one_server_process_reaches_a_socket_held_by_another(world):
    import urllib.request

    from websockets.sync.client import connect

    _community, staff, volunteer, task, _fields = world
    claim_create(actor=volunteer, task=task)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": "two-process-test-secret-key-that-is-long-enough-0123456789",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    first_port, second_port = _free_port(), _free_port()
    first, second = _start_server(first_port, env), _start_server(second_port, env)
    try:
        _wait_until_up(first_port, first)
        _wait_until_up(second_port, second)
        with connect(f"ws://127.0.0.1:{second_port}/ws/notifications/?token={token_create(user=volunteer)}", open_timeout=5) as ws:
            request = urllib.request.Request(
                f"http://127.0.0.1:{first_port}/api/v1/tasks/{task.pk}/cancel",
                data=b"{}",
                headers={"Authorization": f"Bearer {token_create(user=staff)}", "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            message = json.loads(ws.recv(timeout=5))
        assert message["type"] == "notification" and message["kind"] == "task_cancelled"
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=10)


@needs_postgres
def test_five_hundred_socket_cycles_leave_no_database_connection_behind(world, settings):
    _community, _staff, volunteer, _task, _fields = world
    # The database is what is measured; the in-memory layer keeps the 500 cycles quick.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    token = token_create(user=volunteer)
    name = connection.settings_dict["NAME"]

    def open_connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
            return cursor.fetchone()[0]

    async def cycles(n=500):
        for _ in range(n):
            socket_ = WebsocketCommunicator(application, f"/ws/notifications/?token={token}")
            connected, _ = await socket_.connect()
            assert connected
            await socket_.disconnect()

    try:
        async_to_sync(cycles)(10)  # warm up: the pool opens what it keeps
        before = open_connections()
        async_to_sync(cycles)(500)
        assert open_connections() == before
    finally:
        channel_layers.backends = {}

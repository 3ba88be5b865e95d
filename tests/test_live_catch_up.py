"""A socket that comes back gets the notifications it missed (issue #27): a push lost while Redis
was away, or while the socket was reconnecting, is not a notice lost."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator  # (channels.testing itself needs daphne)
from django.test import Client

from accounts.services import notification_store
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def test_a_reconnecting_socket_receives_the_notifications_it_missed(board_world):
    _community, staff, volunteer, _task, _fields = board_world
    cookie = session_cookie(volunteer)
    store = database_sync_to_async(lambda message, user=volunteer: notification_store(user=user, kind="task_cancelled", message=message).pk)

    async def scenario():
        first = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", cookie)])
        assert (await first.connect())[0]
        await first.send_json_to({"type": "catch_up", "since": None})  # a page that just loaded
        hello = await first.receive_json_from()
        assert hello["type"] == "caught_up" and await first.receive_nothing()
        seen = hello["last_id"]
        await first.disconnect()
        # While the socket is away (Redis down, a network change), three notices are stored and
        # someone else gets one: their pushes reach nobody.
        missed = [await store(f"第{n}条") for n in (1, 2, 3)]
        await database_sync_to_async(notification_store)(user=staff, kind="task_cancelled", message="not yours")
        back = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", cookie)])
        assert (await back.connect())[0]
        await back.send_json_to({"type": "catch_up", "since": seen})
        got = [await back.receive_json_from() for _ in range(4)]
        assert [(m["type"], m.get("id"), m.get("message")) for m in got[:3]] == [("notification", pk, f"第{n}条") for n, pk in zip((1, 2, 3), missed, strict=True)]
        assert got[3] == {"type": "caught_up", "last_id": missed[-1]}
        # Caught up: asking again brings nothing twice; bad input is a page that just loaded.
        await back.send_json_to({"type": "catch_up", "since": missed[-1]})
        assert await back.receive_json_from() == {"type": "caught_up", "last_id": missed[-1]}
        await back.send_json_to({"type": "catch_up", "since": "1 OR 1=1"})
        assert await back.receive_json_from() == {"type": "caught_up", "last_id": missed[-1]}
        await back.disconnect()

    async_to_sync(scenario)()


def test_the_page_script_asks_to_catch_up_on_every_connection():
    """The page's script (static/js/live.js) sends the last id it saw whenever its socket opens."""
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static/js/live.js").read_text()
    assert 'type: "catch_up", since: lastId' in script and "onOpen(socket)" in script

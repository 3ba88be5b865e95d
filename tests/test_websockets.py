"""Websockets: an unknown path is closed cleanly with 4404 (#19.17), and a socket ends with the
credentials that opened it: a revoked token, a changed password, a logout, a closed account
(#36.3), docs/security.md."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator

from config.asgi import application

pytestmark = pytest.mark.django_db


# --- #17 An unknown websocket path closes cleanly ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/nope/", "/ws/communities/abc/tasks/", "/not-a-socket", "/ws/tasks/extra/"])
def test_an_unknown_websocket_path_is_closed_with_4404_and_logs_no_error(path, caplog):
    async def scenario():
        socket = WebsocketCommunicator(application, path)
        assert await socket.connect() == (False, 4404)

    with caplog.at_level("WARNING"):
        async_to_sync(scenario)()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], caplog.text


# --- #36.3: websockets end with the credentials that opened them ---------------------------------


def _ws_session(client) -> list:
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def _open(path, headers=()):
    socket = WebsocketCommunicator(application, path, headers=list(headers))
    connected, _code = await socket.connect(timeout=10)
    assert connected
    return socket


async def _closed_with(socket) -> int | None:
    """The close code the server sent, or None when the socket is still open (nothing came)."""
    if await socket.receive_nothing(timeout=1):
        return None
    message = await socket.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    return message.get("code")


def _notify(user):
    from channels.db import database_sync_to_async

    from accounts.services import notify

    return database_sync_to_async(notify)(user=user, kind="test", message="私人消息")


@pytest.mark.django_db(transaction=True)
def test_a_socket_opened_with_a_token_closes_when_the_token_is_revoked(volunteer):
    from django.test import Client

    from accounts.services import token_create

    token, other = token_create(user=volunteer), token_create(user=volunteer)

    async def scenario():
        from channels.db import database_sync_to_async

        revoked = await _open(f"/ws/notifications/?token={token}")
        kept = await _open(f"/ws/notifications/?token={other}")
        answer = await database_sync_to_async(Client().post)("/api/v1/auth/token/revoke", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert answer.status_code == 204
        assert await _closed_with(revoked) == 4401
        assert await _closed_with(kept) is None  # the person's other token still holds
        await _notify(volunteer)
        assert (await kept.receive_json_from(timeout=3))["message"] == "私人消息"
        await kept.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_session_socket_closes_when_the_password_is_changed_in_another_browser(volunteer):
    from tests.conftest import browser
    from tests.factories import PASSWORD

    elsewhere, here = browser(volunteer), browser(volunteer)

    async def scenario():
        from channels.db import database_sync_to_async

        old = await _open("/ws/notifications/", _ws_session(elsewhere))
        mine = await _open("/ws/notifications/", _ws_session(here))
        changed = await database_sync_to_async(here.post)(
            "/accounts/password/change/",
            {"old_password": PASSWORD, "new_password": "a new long passphrase", "new_password2": "a new long passphrase"},
        )
        assert changed.status_code == 302
        assert await _closed_with(old) == 4401
        await _closed_with(mine)  # its session key was renewed: the page's script reconnects
        again = await _open("/ws/notifications/", _ws_session(here))  # with the renewed cookie
        await _notify(volunteer)
        assert (await again.receive_json_from(timeout=3))["message"] == "私人消息"
        await again.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_logging_out_closes_that_sessions_socket(volunteer):
    from tests.conftest import browser

    client = browser(volunteer)

    async def scenario():
        from channels.db import database_sync_to_async

        socket = await _open("/ws/notifications/", _ws_session(client))
        assert (await database_sync_to_async(client.post)("/accounts/logout/")).status_code == 302
        assert await _closed_with(socket) == 4401

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_closing_the_account_closes_its_sockets(volunteer):
    from accounts.services import token_create

    token = token_create(user=volunteer)

    async def scenario():
        from channels.db import database_sync_to_async

        socket = await _open(f"/ws/notifications/?token={token}")
        volunteer.is_active = False
        await database_sync_to_async(volunteer.save)()
        assert await _closed_with(socket) == 4401

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_living_past_its_session_hears_nothing_more(volunteer, monkeypatch):
    from importlib import import_module

    from django.conf import settings

    from accounts import consumers
    from tests.conftest import browser

    client = browser(volunteer)
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)

    async def scenario():
        from channels.db import database_sync_to_async

        socket = await _open("/ws/notifications/", _ws_session(client))
        await _notify(volunteer)
        assert (await socket.receive_json_from(timeout=3))["message"] == "私人消息"
        # The session expires (no signal is sent when a session simply runs out).
        store = import_module(settings.SESSION_ENGINE).SessionStore(client.cookies["sessionid"].value)
        await database_sync_to_async(store.delete)()
        await _notify(volunteer)
        assert await _closed_with(socket) == 4401

    async_to_sync(scenario)()

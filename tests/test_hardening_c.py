"""Hardening, second round (issue #36): one test or more per finding, listed in docs/security.md."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from config.asgi import application


def asgi_get(path, headers=(), query=""):
    """A GET through the ASGI application uvicorn serves (BodyLimit → PublicCache → WsgiBridge)."""

    async def call():
        communicator = HttpCommunicator(application, "GET", f"{path}?{query}" if query else path, headers=[(b"host", b"testserver"), *headers])
        response = await communicator.get_response(timeout=30)
        await communicator.wait(timeout=30)
        return response

    return async_to_sync(call)()


# --- #36.8: header names with an underscore are dropped by the WSGI bridge -------------------------


@pytest.mark.django_db(transaction=True)
def test_an_accept_language_header_spelt_with_an_underscore_does_not_switch_the_language():
    spoofed = asgi_get("/accounts/login/", headers=[(b"accept_language", b"en")])
    assert spoofed["status"] == 200 and b'<html lang="zh-hans"' in spoofed["body"]
    english = asgi_get("/accounts/login/", headers=[(b"accept-language", b"en")])
    assert english["status"] == 200 and b'<html lang="en"' in english["body"]


def test_an_underscored_forwarded_for_never_reaches_django_as_the_proxys_header():
    from core.wsgibridge import build_environ

    scope = {"method": "GET", "path": "/", "headers": [(b"x_forwarded_for", b"6.6.6.6"), (b"x-real-thing", b"1")]}
    environ = build_environ(scope, b"")
    assert "HTTP_X_FORWARDED_FOR" not in environ
    assert environ["HTTP_X_REAL_THING"] == "1"


# --- #36.6: NUL and other control characters in a path or query never give a 500 ---------------

CONTROL_PATHS = [
    "/certificates/%00/",
    "/certificates/AB%00CD/",
    "/calendar/%00.ics",
    "/email/unsubscribe/%00/",
    "/api/v1/certificates/%00",
    "/api/v1/certificates/AB%01CD",
    "/tasks/%00/",
    "/communities/%1f/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", CONTROL_PATHS)
def test_a_control_character_in_a_path_is_a_404_not_a_500(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.content[:300]
    if path.startswith("/api/"):
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tasks/", "/api/v1/tasks", "/people/", "/feedback/", "/api/v1/needs/resolved"])
def test_nul_in_a_query_value_is_a_400_not_a_500(client, path):
    response = client.get(f"{path}?q=%00&page=1%00")
    assert response.status_code == 400, response.content[:300]


@pytest.mark.django_db
def test_other_control_characters_in_a_search_still_search(client):
    assert client.get("/api/v1/tasks?q=%09lamp%0a").status_code == 200


# --- #36.3: websockets end with the credentials that opened them ---------------------------------


def _ws_session(client) -> list:
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def _open(path, headers=()):
    from channels.testing.websocket import WebsocketCommunicator

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

"""Malformed requests never reach Django as something else, nor give a 500: header names with an
underscore are dropped (#36.8), control characters in a path are a 404 and NUL in a query a 400
(#36.6), docs/security.md."""

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



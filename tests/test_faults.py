"""Real faults, not mocked exceptions: the database stops answering for a while, the site says so
with a 503 (the contract's JSON under /api/, a plain page in the visitor's language elsewhere,
``Retry-After`` on both, never a stack trace), and it answers normally again once the database is
back, without a restart.

SQLite: another connection holds an exclusive lock for longer than the busy timeout (what a long
backup, a migration or a stuck writer does). PostgreSQL (second CI pass): the test database stops
accepting connections and its backends are terminated from a separate superuser connection (what
a failover or a restart does); only the throwaway test database is touched.

The requests go over real HTTP to pytest-django's live server, so each one runs the whole stack in
a server thread with its own connection, as in production.
"""

import json
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.services import token_create
from tests.conftest import ON_POSTGRES, needs_postgres
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE_ZH = "服务暂时不可用，请稍后再试。"
UNAVAILABLE_EN = "The service is briefly unavailable. Please try again shortly."
# What must never reach a visitor: Django's debug page, a traceback, the driver's own words.
LEAKS = ("Traceback", "OperationalError", "database is locked", "psycopg", "sqlite", "File \"/")


def fetch(url: str, *, language: str = "zh-hans", headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body text) of one real HTTP request; an error status is an answer too."""
    request = urllib.request.Request(url, data=data, headers={"Accept-Language": language, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def assert_unavailable_json(answer, detail: str) -> None:
    status, headers, body = answer
    assert status == 503, body
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"detail": detail, "code": "service_unavailable"}
    assert int(headers["Retry-After"]) > 0


def assert_unavailable_page(answer, *, text: str, lang: str) -> None:
    status, headers, body = answer
    assert status == 503, body
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Retry-After"]) > 0
    assert f'<html lang="{lang}">' in body
    assert text in body
    assert not [leak for leak in LEAKS if leak in body]


@pytest.fixture
def world(db):
    """A community, a person with a bearer token and a logged-in browser session, made before the fault."""
    community = CommunityFactory(name="锣旗寺社区")
    person = UserFactory(username="fault_person")
    browser = Client()
    browser.force_login(person)
    return {
        "community": community,
        "token": token_create(user=person),
        "session": f"sessionid={browser.cookies['sessionid'].value}",
    }


def exercise_outage_and_recovery(base: str, world: dict, outage, *, slowest: float | None = None) -> float:
    """Ask the API and the pages while ``outage`` holds, each answered within ``slowest`` seconds
    when given, then after it; returns the seconds until the site answered normally again."""
    community = world["community"]
    bearer = {"Authorization": f"Bearer {world['token']}"}
    timings = []

    def timed(answer_of):
        started = time.monotonic()
        answer = answer_of()
        timings.append(time.monotonic() - started)
        return answer

    # The server's first request loads the URLs, templates and translations: before the clock starts.
    assert fetch(f"{base}/api/v1/communities")[0] == 200
    with outage():
        # The API: the contract's error body, in the request's language.
        assert_unavailable_json(timed(lambda: fetch(f"{base}/api/v1/communities")), UNAVAILABLE_ZH)
        assert_unavailable_json(timed(lambda: fetch(f"{base}/api/v1/me", language="en", headers=bearer)), UNAVAILABLE_EN)
        write = timed(lambda: fetch(
            f"{base}/api/v1/communities/{community.pk}/join",
            headers={**bearer, "Content-Type": "application/json"},
            data=json.dumps({"role": "volunteer"}).encode(),
        ))
        assert_unavailable_json(write, UNAVAILABLE_ZH)
        # Pages: anonymous, and logged in (the session itself lives in the database).
        assert_unavailable_page(timed(lambda: fetch(f"{base}/communities/", language="en")), text=UNAVAILABLE_EN, lang="en")
        assert_unavailable_page(timed(lambda: fetch(f"{base}/communities/{community.pk}/")), text=UNAVAILABLE_ZH, lang="zh-hans")
        assert_unavailable_page(
            timed(lambda: fetch(f"{base}/accounts/profile/", headers={"Cookie": world["session"]})), text=UNAVAILABLE_ZH, lang="zh-hans"
        )
        assert timed(lambda: fetch(f"{base}/readyz"))[0] == 503
        assert fetch(f"{base}/healthz")[0] == 200  # the process itself is fine: no restart wanted
        if slowest is not None:
            assert max(timings) <= slowest, f"answers during the outage took up to {max(timings):.2f} s"

    # Recovery: the same server process and its pool answer again without a restart. Until the pool
    # has reconnected, a request may still get the quick 503 (never a 500, never a hang).
    started = time.monotonic()
    while True:
        status, _headers, body = fetch(f"{base}/api/v1/communities")
        if status == 200 or time.monotonic() - started > 10:
            break
        assert status == 503, body
        time.sleep(0.05)
    recovered_after = time.monotonic() - started
    assert status == 200, body
    assert json.loads(body)["items"][0]["name"] == "锣旗寺社区"
    status, _headers, body = fetch(f"{base}/accounts/profile/", headers={"Cookie": world["session"]})
    assert status == 200 and "fault_person" in body
    status, _headers, body = fetch(
        f"{base}/api/v1/communities/{community.pk}/join",
        headers={**bearer, "Content-Type": "application/json"},
        data=json.dumps({"role": "volunteer"}).encode(),
    )
    assert status == 201, body  # the write refused during the outage goes through now
    assert fetch(f"{base}/readyz")[0] == 200
    return recovered_after


# --- SQLite --------------------------------------------------------------------------------------------
def _close_stray_connections(path: str) -> None:
    """Connections to the file that earlier tests left open in contexts that are gone (Playwright's
    event loop gives Django's connection handler a context of its own): the exclusive lock can only
    be taken once no one else has the file open."""
    import gc

    for wrapper in [obj for obj in gc.get_objects() if type(obj).__name__ == "DatabaseWrapper"]:
        if wrapper.vendor == "sqlite" and wrapper.connection is not None and wrapper.settings_dict["NAME"] == path:
            wrapper.connection.close()
            wrapper.connection = None


@contextmanager
def sqlite_held_exclusively(busy_timeout: int = 1):
    """Another connection takes the database file for itself (exclusive locking mode, so even
    readers in WAL mode wait) and keeps it longer than the busy timeout of every request."""
    settings_dict = connection.settings_dict  # shared by the server threads' connections
    options = settings_dict["OPTIONS"]
    saved_timeout = options.get("timeout")
    options["timeout"] = busy_timeout  # 30 s in production: the test need not wait that long
    connections.close_all()  # the test's own connection lets go, or the lock could not be taken
    _close_stray_connections(settings_dict["NAME"])
    blocker = sqlite3.connect(settings_dict["NAME"], isolation_level=None, timeout=10)
    try:
        blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
        blocker.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        blocker.execute("PRAGMA locking_mode=NORMAL")
        blocker.execute("SELECT count(*) FROM sqlite_master").fetchone()  # lets go of the file lock
        blocker.close()
        options["timeout"] = saved_timeout


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite fault; the PostgreSQL one is below")
def test_a_locked_sqlite_database_gives_a_clear_503_and_the_site_recovers(live_server, world):
    recovered_after = exercise_outage_and_recovery(live_server.url, world, sqlite_held_exclusively)
    assert recovered_after < 2


# --- PostgreSQL ----------------------------------------------------------------------------------------
@contextmanager
def postgres_refusing_connections(lasting: float = 20):
    """The test database stops accepting connections and every backend on it is terminated, from a
    separate superuser connection to the ``postgres`` database; restored on the way out."""
    import psycopg
    from psycopg import sql

    settings_dict = connection.settings_dict
    test_db = settings_dict["NAME"]
    assert test_db.startswith("test_"), "only ever the throwaway test database"
    params = {key: value for key, value in {
        "host": settings_dict["HOST"], "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"], "password": settings_dict["PASSWORD"] or None,
    }.items() if value}
    admin = psycopg.connect(dbname="postgres", autocommit=True, **params)
    if not admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        admin.close()
        pytest.skip("terminating backends needs a superuser in DATABASE_URL")
    # The pool that served the requests so far stays, with its pooled connections about to die: a
    # failover does not empty it either.
    connections.close_all()  # the test thread's connection goes back to the pool, to be killed there too
    try:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(test_db)))
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [test_db]
        )
        started = time.monotonic()
        yield
        # A failover takes a while: long enough for the pool to back off between reconnection attempts.
        time.sleep(max(0.0, lasting - (time.monotonic() - started)))
    finally:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(test_db)))
        admin.close()


@needs_postgres
def test_postgres_refusing_connections_gives_a_clear_503_and_the_site_recovers(live_server, world):
    recovered_after = exercise_outage_and_recovery(live_server.url, world, postgres_refusing_connections, slowest=1.0)
    assert recovered_after < 2


@needs_postgres
def test_after_a_postgres_restart_no_request_gets_a_dead_pooled_connection(live_server, world):
    """The blip: every backend is terminated (a restart, a failover) and the database is back at
    once. The pool still holds the killed connections; each is seen to be dead as it leaves the
    pool (core/postgres/base.py), so not one request gets it: every answer is a 200. (Before: a 503
    per dead pooled connection, or with CONN_HEALTH_CHECKS a 10 s wait ending in a 503.)"""
    import psycopg

    base = live_server.url
    # Warm the pool with a few connections, as a busy site has.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as executor:
        assert set(executor.map(lambda _: fetch(f"{base}/api/v1/communities")[0], range(8))) == {200}
    settings_dict = connection.settings_dict
    connections.close_all()
    params = {k: v for k, v in {"host": settings_dict["HOST"], "port": settings_dict["PORT"] or None,
                                "user": settings_dict["USER"], "password": settings_dict["PASSWORD"] or None}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings_dict["NAME"]],
        ).fetchone()[0]
        assert killed >= 1
        for _ in range(100):  # the killed backends have gone (they said goodbye to their sockets)
            if not admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [settings_dict["NAME"]]).fetchone()[0]:
                break
            time.sleep(0.02)
    statuses = [fetch(f"{base}/api/v1/communities")[0] for _ in range(6)]
    statuses += [fetch(f"{base}/communities/")[0] for _ in range(3)]
    assert statuses == [200] * 9


@contextmanager
def database_host_not_answering():
    """The database's address accepts TCP connections and never says a word (a host that hangs, a
    firewall that swallows packets): every connection attempt would wait for libpq's
    connect_timeout. The pool is made anew against it, and against the real database afterwards."""
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # never accepted: the first attempts complete the handshake and wait, later ones get no answer
    connections.close_all()
    connection.close_pool()
    settings_dict["HOST"], settings_dict["PORT"] = silent.getsockname()
    try:
        yield
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = saved
        connection.close_pool()
        silent.close()


@needs_postgres
def test_a_database_host_that_does_not_answer_gives_503_within_a_second(live_server, world):
    """Nothing waits on a database that does not answer: each request that needs it gets the 503
    within a second (the pool waits DB_POOL_TIMEOUT, then fails at once while the database stays
    away), /readyz too, and the site is back as soon as the database is."""
    recovered_after = exercise_outage_and_recovery(live_server.url, world, database_host_not_answering, slowest=1.0)
    assert recovered_after < 2

"""Redis is an accelerator, never a single point of failure (issue #27; docs/faults.md).

Redis here is a real socket that accepts connections and never answers: the worst kind of outage
(a host gone, a full network queue), where every command waits its whole timeout. The site runs
with the production Redis settings pointed at it: sessions on ``cached_db``, the public and page
caches on, the pub/sub channel layer. Each request must answer as usual and well under a second;
only the one that finds Redis away pays its timeout once, then the breaker keeps it aside.
"""

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from channels.layers import channel_layers
from django.core import mail
from django.test import Client

from accounts.models import Notification
from core import ratelimit
from core.redisguard import breaker
from reach.models import OutboundEmail
from tests.conftest import needs_redis
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

FAST = 0.5  # seconds: "well under a second"


@contextmanager
def silent_redis():
    """A TCP port that accepts and never answers; yields its redis:// address."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def redis_settings(settings, url: str) -> None:
    """The production settings with ``REDIS_URL`` (config/settings.py), pointed at ``url``."""
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "cm",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 60
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 0.5, "socket_timeout": 1}], "prefix": "cm"},
        }
    }
    channel_layers.backends = {}


@pytest.fixture
def redis_away(settings):
    breaker.reset()
    ratelimit.reset()
    with silent_redis() as url:
        redis_settings(settings, url)
        yield url
    channel_layers.backends = {}
    breaker.reset()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_silent_sign_in_the_board_and_signed_in_pages_answer_at_once(redis_away, board_world):
    _community, _staff, volunteer, task, _fields = board_world
    browser = Client()
    # The first request that finds Redis away may pay one timeout (1 s), no more.
    # The process's first drawing of a page loads every URL, the API's schemas and the templates:
    # done once with Redis set aside, so what is timed below is what Redis costs.
    breaker.failed("warming up")
    browser.get("/tasks/")
    breaker.reset()
    response, first = timed(lambda: browser.get("/tasks/"))
    assert response.status_code == 200 and first < 1.6
    answers = []
    response, seconds = timed(lambda: browser.post("/accounts/login/", {"username": volunteer.username, "password": PASSWORD}))
    answers.append(("form login", response.status_code, seconds))
    assert response.status_code == 302, response.content[:500]
    for path in ("/", "/tasks/", f"/tasks/{task.pk}/", "/claims/", "/points/", "/notifications/", "/api/v1/tasks"):
        response, seconds = timed(lambda path=path: browser.get(path))
        answers.append((path, response.status_code, seconds))
    assert [(what, status) for what, status, _s in answers] == [(what, 200 if what != "form login" else 302) for what, _st, _s in answers]
    slow = [(what, round(seconds, 2)) for what, _status, seconds in answers if seconds >= FAST]
    assert not slow, f"answers that waited on Redis: {slow}"
    # Signed in for real: the session was read and written in the database.
    assert browser.get("/claims/").wsgi_request.user == volunteer
    # A claim (a write: the page cache, the public cache and a live push all want Redis) answers at once.
    response, seconds = timed(lambda: browser.post(f"/api/v1/tasks/{task.pk}/claims", "{}", content_type="application/json"))
    assert response.status_code == 201 and seconds < FAST, (response.status_code, seconds)


def test_with_redis_silent_readyz_says_so_at_once(redis_away, board_world):
    """Its job is to say Redis is away (the balancer then uses the hosts that are merely alive), but
    quickly: the first probe waits its half-second timeout, the next ones not at all."""
    browser = Client()
    browser.get("/healthz")  # the process's first request loads every URL and the API's schemas
    answers = [timed(lambda: browser.get("/readyz")) for _ in range(3)]
    for response, _seconds in answers:
        assert response.status_code == 503 and response.json()["checks"] == {"database": "ok", "redis": "unavailable"}
    assert answers[0][1] < 1.5 and all(seconds < 0.2 for _r, seconds in answers[1:]), [round(s, 2) for _r, s in answers]


def test_with_redis_silent_rate_limited_doors_stay_open_and_answer_at_once(redis_away, board_world):
    browser = Client()
    browser.get("/healthz")
    timed(lambda: browser.get("/tasks/"))  # the request that finds Redis away
    response, seconds = timed(lambda: browser.get("/accounts/register/"))
    assert response.status_code == 200 and seconds < FAST


def test_an_outage_logs_one_line_per_interval_not_a_traceback_per_request(redis_away, board_world, caplog):
    _community, _staff, volunteer, _task, _fields = board_world
    browser = Client()
    browser.force_login(volunteer)
    browser.get("/healthz")
    breaker.reset()  # the world's making has met the outage already: count from here
    with caplog.at_level("WARNING"):
        for path in ("/tasks/", "/", "/claims/", "/points/") * 5:
            assert browser.get(path).status_code == 200
    redis_lines = [r.getMessage() for r in caplog.records if r.name == "core.redis"]
    assert len(redis_lines) == 1, redis_lines
    assert not any(r.exc_info for r in caplog.records if r.name != "core.pagecache"), "a traceback was logged"


def test_a_task_cancel_with_the_queue_failing_writes_every_claimants_notice_and_email(board_world, monkeypatch):
    """The job queue (Huey, on Redis) refuses the email jobs: the cancel still answers 200, each
    claimant has the notification and a pending outbox email, and the minute's sweep sends them."""
    from orders.services import claim_create
    from reach import signals, tasks
    from tests.factories import MembershipFactory

    community, staff, volunteer, task, _fields = board_world
    second = MembershipFactory(community=community, role="volunteer", user__username="ws_second").user
    for person in (volunteer, second):
        person.email = f"{person.username}@example.cn"
        person.save(update_fields=["email"])
    claim_create(actor=volunteer, task=task)
    claim_create(actor=second, task=task)

    def queue_down(email_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(signals, "send_email", queue_down)
    client = Client()
    client.force_login(staff)
    response = client.post(f"/api/v1/tasks/{task.pk}/cancel", "{}", content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    for person in (volunteer, second):
        assert Notification.objects.filter(user=person, kind="task_cancelled").count() == 1
        assert OutboundEmail.objects.filter(user=person, status=OutboundEmail.Status.PENDING).count() == 1
    mail.outbox.clear()
    assert tasks.send_due_emails.call_local() == 2  # the sweep, once the queue is back
    assert sorted(m.to[0] for m in mail.outbox) == sorted([volunteer.email, second.email])


@needs_redis
def test_a_session_signed_out_while_redis_was_away_stays_signed_out_when_it_returns(board_world, settings):
    """The cache keeps sessions; a sign-out during an outage cannot delete the cached copy. When
    Redis answers again the skipped writes are forgotten, so the old cookie does not sign in again."""
    import os

    _community, _staff, volunteer, _task, _fields = board_world
    redis_settings(settings, os.environ["REDIS_URL"])
    breaker.reset()
    try:
        browser = Client()
        assert browser.post("/accounts/login/", {"username": volunteer.username, "password": PASSWORD}).status_code == 302
        old_cookie = browser.cookies["sessionid"].value
        assert browser.get("/claims/").wsgi_request.user == volunteer  # cached in Redis now
        breaker.failed("a test outage")  # Redis set aside, as after a failure
        assert browser.post("/accounts/logout/").status_code in (200, 302)
        breaker._down_until = time.monotonic() - 1  # the pause is over: the next call probes
        thief = Client()
        thief.cookies["sessionid"] = old_cookie
        assert not thief.get("/claims/").wsgi_request.user.is_authenticated
        assert not breaker.is_open
    finally:
        breaker.reset()
        channel_layers.backends = {}

"""Issue #21 in a real browser, on a phone: a volunteer joins the waiting list of a full task,
another volunteer withdraws, and the first sees the slot become her claim on the page she is
reading, pushed over the websocket (no reload).

Django's live server speaks only HTTP, so this journey serves ``config.asgi.application`` (HTTP and
websockets, as in production) with uvicorn in a thread of the test process, against the test
database: SQLite's file with the in-memory channel layer, or PostgreSQL and Redis's pub/sub layer
when ``DATABASE_URL``/``REDIS_URL`` are set. Screenshots go to test-artifacts/ (phone-<lang>-NN-waitlist-*.png, waitlist-<lang>-*.png)."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_journeys import ARTIFACTS, CHROMIUM, browser, log_in, new_page  # noqa: F401 (fixture)
from tests.browser.test_phone_journeys import Gate

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    """A free port of this suite's range (8400-8499), else any the system gives."""
    for port in range(8400, 8500):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db, settings):
    """``config.asgi.application`` under uvicorn in a thread (static files through Django's
    handler, as the live server serves them); yields its base URL and stops it afterwards."""
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://localhost:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def full_task():
    from accounts.models import Membership
    from marketplace.services import TaskFields, task_create
    from orders.services import claim_create
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff_wang").user
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=16, minute=30, second=0, microsecond=0)
    task = task_create(
        actor=staff, community=community,
        fields=TaskFields(title="四点半课堂：作业辅导", description="", category="education", starts_at=start,
                          ends_at=start + timedelta(hours=2), location="社区活动中心 2 楼", slots=1, points=10, skills=[], beneficiary=None),
    )
    first = MembershipFactory(community=community, role="volunteer", user__username="chen", user__display_name="陈玉芬").user
    MembershipFactory(community=community, role="volunteer", user__username="xiaoyu", user__display_name="赵小雨")
    claim_create(actor=first, task=task)
    return {"task": task, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_waiting_volunteer_sees_the_freed_slot_become_her_claim_live(browser, asgi_server, full_task, lang):  # noqa: F811
    from orders.models import Claim, WaitlistEntry

    base, task = asgi_server, full_task["task"]
    locale = {"zh": "zh-CN", "en": "en-US"}[lang]
    look = Gate(lang)
    her = new_page(browser, locale=locale)
    log_in(her, base, "xiaoyu", full_task["password"])
    her.goto(f"{base}/tasks/{task.pk}/")
    her.click("form[action$='/waitlist/'] button")
    assert her.locator(".waitlist-position").count() == 1
    her.evaluate("window.__sameVisit = true")  # gone if the page were loaded again
    her.wait_for_function("() => document.body.dataset.user && performance.getEntriesByType('resource').some(e => e.name.includes('live.js'))")
    time.sleep(0.5)  # the sockets open just after load
    look(her, "waitlist-joined")

    him = new_page(browser, locale=locale)
    log_in(him, base, "chen", full_task["password"])
    him.goto(f"{base}/tasks/{task.pk}/")
    him.click("#my-claim .secondary-actions a")
    him.click("main form button[type=submit]")
    assert Claim.objects.get(user__username="chen").status == "withdrawn"

    # Her page changes by itself: the waiting-list line becomes her claim, and she is told.
    her.wait_for_selector("#my-claim .claim-status", timeout=10_000)
    assert her.evaluate("window.__sameVisit") is True
    assert her.locator(".waitlist-position").count() == 0
    her.wait_for_selector("#live-region:not([hidden])", timeout=5_000)
    assert task.title in her.inner_text("#live-region")
    assert her.locator("main .messages").count() == 0  # "you joined the waiting list" no longer holds
    look(her, "waitlist-promoted-live")
    her.screenshot(path=str(ARTIFACTS / f"waitlist-{lang}-promoted-viewport.png"))  # what the phone shows, toast included
    assert Claim.objects.get(user__username="xiaoyu").status == "claimed"
    assert not WaitlistEntry.objects.filter(task=task).exists()  # she left the line for the slot
    assert look.problems == []

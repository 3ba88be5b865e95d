"""The page cache is never stale under real concurrency (core/pagecache.py, issue #27).

Writers in threads of their own (each with its own database connection, committing for real)
claim and withdraw tasks and award points to a volunteer, while a browser signed in as that
volunteer reads home, my claims and my points over and over, as a person refreshing would. Before
each request the reader notes the last write that had already answered; the page it then gets
must show that write or a later one. A page older than a write that had answered is *stale*: the
the README promises there are none (docs/pagecache.md).

It runs on both passes: with REDIS_URL (PostgreSQL + Redis in the second CI pass) on that Redis,
and on the embedded SQLite run on a redis-server of its own on a free port when one is installed
(the page cache exists only with Redis). ``PAGECACHE_FRESH_READS`` sets how many pages are read.
"""

import os
import re
import threading
import time

import pytest
from django.db import connection
from django.utils import translation

from core import pagecache
from orders.models import Claim
from orders.services.claims import claim_create, claim_withdraw
from points import services as points_services
from tests.conftest import browser
from tests.factories import MembershipFactory
from tests.pagecache_redis import page_cache_on  # noqa: F401 - a fixture

READS = int(os.environ.get("PAGECACHE_FRESH_READS", "3000"))
WRITES = 60  # claim events (a claim or a withdrawal) at the least, each with a window for a stale page
TASKS = 120  # more than the claim writer gets through while the pages are read
PAUSE = 0.5  # between two writes of one writer: a page kept between two writes is served again, as a browser refreshing sees it


class Progress:
    """What the writers have answered so far: the claim events (2k-1: task k claimed, 2k: its
    claim withdrawn) and the points awarded."""

    def __init__(self):
        self.claim_event = 0
        self.points = 0
        self.errors = []


def claim_writer(volunteer, tasks, progress, stop):
    try:
        for k, task in enumerate(tasks, start=1):
            if stop.is_set():
                return
            claim = claim_create(actor=volunteer, task=task)
            progress.claim_event = 2 * k - 1
            time.sleep(PAUSE)
            claim_withdraw(actor=volunteer, claim=claim)
            progress.claim_event = 2 * k
            time.sleep(PAUSE)
    except Exception as exc:  # pragma: no cover - shown by the test's assertion
        progress.errors.append(repr(exc))
    finally:
        connection.close()


def points_writer(volunteer, community, progress, stop, others=()):
    try:
        while not stop.is_set():
            points_services.points_award(actor=None, community=community, user=volunteer, amount=1, idempotency_key=points_services.new_key("fresh"))
            progress.points += 1
            for other in others:  # writes to the same tables that are not the reader's rows
                points_services.points_award(actor=None, community=community, user=other, amount=1, idempotency_key=points_services.new_key("fresh"))
            time.sleep(PAUSE)
    except Exception as exc:  # pragma: no cover
        progress.errors.append(repr(exc))
    finally:
        connection.close()


TITLE = re.compile(r"任务-(\d+)")
CLAIM_ROW = re.compile(r'<li class="card"><h2 class="h3"><a href="[^"]*">任务-(\d+)</a></h2>.*?<span class="badge">([^<]+)</span>', re.S)
NEXT_TITLE = re.compile(r'<p class="next-title"><a href="[^"]*">任务-(\d+)</a>')
HOME_POINTS = re.compile(r'href="/points/"><strong>([\d,]+)</strong>')
MY_POINTS = re.compile(r"<li><strong>([\d,]+)</strong> 锣旗寺社区</li>")


def shown(path: str, html: str, claimed: str, withdrawn: str) -> tuple[int | None, int | None]:
    """(the claim event, the points) a page shows; None where it shows nothing to tell."""
    number = lambda m: int(m.group(1).replace(",", "")) if m else 0  # noqa: E731
    if path == "/claims/":
        row = CLAIM_ROW.search(html)
        if row is None:
            return 0, None
        k, status = int(row.group(1)), row.group(2).strip()
        assert status in (claimed, withdrawn), status
        return (2 * k - 1 if status == claimed else 2 * k), None
    if path == "/":
        live = NEXT_TITLE.search(html)
        return (2 * int(live.group(1)) - 1 if live else None), number(HOME_POINTS.search(html))
    return None, number(MY_POINTS.search(html))


def reader(volunteer, path, progress, stop, counts, claimed, withdrawn):
    """One browser tab of the volunteer reloading one page as fast as it answers."""
    try:
        tab = browser(volunteer)
        tab.get(path)  # the first visit gets the CSRF cookie, as any browser's does
        while not stop.is_set():
            floor_event, floor_points = progress.claim_event, progress.points
            response = tab.get(path)
            if response.status_code != 200:
                progress.errors.append(f"{path} answered {response.status_code}")
                return
            event, points = shown(path, response.content.decode(), claimed, withdrawn)
            counts["reads"] += 1
            if (event is not None and event < floor_event) or (points is not None and points < floor_points):
                counts["stale"].append(f"{path} shows event {event} points {points}, had answered {floor_event} / {floor_points}")
    except Exception as exc:  # pragma: no cover
        progress.errors.append(f"{path}: {exc!r}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_no_page_is_older_than_a_write_that_had_answered(page_cache_on, monkeypatch, community, staff, volunteer, make_task, funded):
    t0 = time.monotonic()
    tasks = [make_task(title=f"任务-{k}", slots=2) for k in range(1, TASKS + 1)]
    neighbour = MembershipFactory(community=community, role="volunteer", user__username="neighbour").user  # writes the same tables
    with translation.override("zh-hans"):
        claimed, withdrawn = str(Claim.Status.CLAIMED.label), str(Claim.Status.WITHDRAWN.label)

    counts = {"reads": 0, "kept": 0, "stale": []}
    real_current = pagecache._current

    def counting_current(client, meta):
        fresh = real_current(client, meta)
        counts["kept"] += fresh
        return fresh

    monkeypatch.setattr(pagecache, "_current", counting_current)
    print(f"\n{TASKS} tasks made in {time.monotonic() - t0:.1f} s")

    progress, stop, done = Progress(), threading.Event(), threading.Event()
    writers = [
        threading.Thread(target=claim_writer, args=(volunteer, tasks, progress, done)),
        threading.Thread(target=points_writer, args=(volunteer, funded, progress, done, (neighbour,))),
    ]
    readers = [threading.Thread(target=reader, args=(volunteer, path, progress, stop, counts, claimed, withdrawn)) for path in ("/", "/claims/", "/points/")]
    started = time.monotonic()
    for thread in readers + writers:
        thread.start()
    try:
        # As many reads as asked, over at least WRITES claim events (a fast machine reads quickly).
        while (counts["reads"] < READS or progress.claim_event < WRITES) and not progress.errors and any(w.is_alive() for w in writers):
            time.sleep(0.2)
    finally:
        done.set()
        for w in writers:
            w.join(timeout=60)
        stop.set()
        for r in readers:
            r.join(timeout=60)
    elapsed, reads, stale = time.monotonic() - started, counts["reads"], counts["stale"]
    print(f"{reads} pages read in {elapsed:.1f} s, {counts['kept']} served from the cache, "
          f"{progress.claim_event} claim events and {progress.points} awards answered meanwhile: {len(stale)} stale")
    assert not progress.errors, progress.errors
    assert progress.claim_event >= WRITES and progress.points >= 20, "the writers hardly wrote: nothing was tried"
    assert counts["kept"] >= reads // 4, f"only {counts['kept']} of {reads} pages came from the cache: nothing was tried"
    assert stale == [], f"{len(stale)} of {reads} pages were older than a write that had answered, e.g. {stale[:5]}"

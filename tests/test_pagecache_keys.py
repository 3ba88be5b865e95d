"""What a kept signed-in page is keyed on (core/pagecache.py): the query parameters the page reads
and the cookies it depends on, nothing else (issue #36 item 7); and the minute it was built in,
which is what shows a change that time alone makes (issue #27: the minute is kept for this)."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import pubcache
from orders.services.claims import claim_create
from orders.services.claims.deliver import CHECKIN_OPENS_BEFORE_START
from tests.conftest import browser
from tests.pagecache_redis import page_cache_on  # noqa: F401 - a fixture

PAGES = "cm:pagecache:page:*"


def kept_pages() -> int:
    return sum(1 for _key in pubcache.sync_client().scan_iter(match=PAGES, count=1000))


def test_made_up_query_parameters_and_cookies_make_no_copies_of_a_page(page_cache_on, volunteer, give, funded):
    give(volunteer, 7)
    client = browser(volunteer)
    client.get("/points/")  # the CSRF cookie, as any browser's first page gives it
    before = kept_pages()
    plain = client.get("/points/").content.decode()
    for n in range(100):
        response = client.get(f"/points/?junk={n}&utm_source=x{n}")
        assert response.status_code == 200
    for n in range(20):
        client.cookies["tracker"] = f"t{n}"  # a cookie the page does not read
        assert client.get("/points/").status_code == 200
    assert kept_pages() - before == 1, "a made-up parameter or cookie made another copy of the page"
    assert "junk" not in client.get("/points/?junk=1").content.decode(), "the page (its language link) shows the made-up parameter"

    # What the page does read still makes its own page: the statement of one kind only.
    filtered = client.get(f"/points/?kind=nothing-of-this-kind&community={funded.pk}&junk=2").content.decode()
    assert kept_pages() - before == 2
    assert filtered != plain


def test_a_check_in_that_opens_shows_on_the_minute_with_no_write(page_cache_on, volunteer, make_task):
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    task = make_task(starts_at=start, ends_at=start + timedelta(hours=1))
    claim_create(actor=volunteer, task=task)
    opens = start - CHECKIN_OPENS_BEFORE_START
    client = browser(volunteer, language="en")
    with time_machine.travel(opens - timedelta(seconds=2), tick=False):
        client.get("/")
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/").content.decode()
        assert len(queries) <= 2, "the home page was not kept (the session and the person are all a kept page reads)"
        assert "Check-in is open" not in page
    with time_machine.travel(opens, tick=False):
        page = client.get("/").content.decode()
    assert "Check-in is open" in page, "the page kept a minute before the check-in opened was served after it opened"

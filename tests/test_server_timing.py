"""SERVER_TIMING=1 makes every answer say where its time went (core/timing.py); off, no header."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import browser

pytestmark = pytest.mark.django_db

ENTRY = re.compile(r'(\w+);dur=([\d.]+)(?:;desc="([^"]*)")?')


def timings_of(response) -> dict[str, tuple[float, str | None]]:
    return {name: (float(dur), desc) for name, dur, desc in ENTRY.findall(response["Server-Timing"])}


def test_with_server_timing_on_a_page_says_its_queries_templates_and_total(settings, volunteer, task):
    settings.SERVER_TIMING = True
    client = browser(volunteer)
    client.get(f"/tasks/{task.pk}/")  # first-use caches (translations, content types) out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/tasks/{task.pk}/")
    assert response.status_code == 200
    timings = timings_of(response)
    assert set(timings) == {"db", "tpl", "cache", "app"}
    # The number of queries it states is the number the database received, savepoints and all.
    assert timings["db"][1] == f"{len(queries.captured_queries)} queries"
    assert len(queries.captured_queries) > 0
    assert timings["tpl"][0] > 0  # the task page is drawn by a template
    # Every part is inside the whole.
    assert timings["db"][0] + timings["tpl"][0] + timings["cache"][0] <= timings["app"][0]


def test_a_page_with_more_queries_says_more(settings, volunteer, task):
    settings.SERVER_TIMING = True
    client = browser(volunteer)
    client.get("/healthz")
    client.get(f"/tasks/{task.pk}/")
    health = int(timings_of(client.get("/healthz"))["db"][1].split()[0])
    page = int(timings_of(client.get(f"/tasks/{task.pk}/"))["db"][1].split()[0])
    assert page > health


def test_with_server_timing_off_no_answer_carries_the_header(settings, volunteer, task):
    settings.SERVER_TIMING = False
    client = browser(volunteer)
    for path in ("/", f"/tasks/{task.pk}/", "/claims/", "/healthz"):
        response = client.get(path)
        assert response.status_code in (200, 302)
        assert "Server-Timing" not in response


@pytest.mark.django_db(transaction=True)
def test_a_server_thread_that_opens_a_new_connection_per_request_counts_each_query_once(settings):
    """As under `make serve` (a thread per request from a pool, a new database connection each time,
    core/pagecache.py adding its watcher to each): the 4th request counts what the 1st did, not 4
    times it (the db figures of the busy-hour bench grew with every request)."""
    import threading

    from django.db import connections
    from django.http import HttpResponse

    from core.timing import ServerTimingMiddleware

    settings.SERVER_TIMING = True

    def view(request):
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return HttpResponse("ok")

    middleware = ServerTimingMiddleware(view)
    counted = []

    def serve_four():
        for _ in range(4):
            response = middleware(None)
            counted.append(timings_of(response)["db"][1])
            connections["default"].close()  # CONN_MAX_AGE=0: the next request connects again

    worker = threading.Thread(target=serve_four)
    worker.start()
    worker.join()
    assert counted == ["1 queries"] * 4

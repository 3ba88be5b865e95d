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

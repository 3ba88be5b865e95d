"""Signed-in pages kept in Redis for the browser that asked (core/pagecache.py, issue #18): served
again without building them, and never once anything they show has changed, however it changed."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace.models import Task
from orders.models import Claim, WaitlistEntry
from orders.services.claims import claim_create, claim_withdraw
from tests.conftest import browser, needs_redis

pytestmark = needs_redis


def fetch(client, path):
    """(queries the request ran, the page's text), after one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), response.content.decode()


def main_part(html: str) -> str:
    """What the page shows, without the per-request CSRF mask of its forms."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_my_claims_is_served_again_without_being_built_and_shows_a_change_at_once(volunteer, task):
    claim = claim_create(actor=volunteer, task=task)
    client = browser(volunteer)
    client.get("/claims/")  # the browser gets its CSRF cookie, as any browser does on its first page
    built, first = fetch(client, "/claims/")
    kept, again = fetch(client, "/claims/")
    assert "陪伴独居老人" in first and main_part(again) == main_part(first)
    assert kept <= 1 < built, f"the kept page ran {kept} queries (built: {built})"

    # A change that sends no signal (a bulk UPDATE) shows on the next request all the same.
    Task.objects.filter(pk=task.pk).update(title="上门理发")
    _, after_rename = fetch(client, "/claims/")
    assert "上门理发" in after_rename and "陪伴独居老人" not in after_rename

    claim_withdraw(actor=volunteer, claim=claim)
    _, after_withdrawal = fetch(client, "/claims/")
    with translation.override("zh-hans"):
        withdrawn = str(Claim.Status.WITHDRAWN.label)
    assert withdrawn in after_withdrawal and withdrawn not in again


def test_my_points_shows_every_award_and_the_message_of_a_transfer(volunteer, give, funded):
    give(volunteer, 30)
    client = browser(volunteer, language="en")
    client.get("/points/")
    _, page = fetch(client, "/points/")
    assert re.search(r"\b30\b", page)
    give(volunteer, 12)
    _, page = fetch(client, "/points/")
    assert re.search(r"\b42\b", page), "an award made after the page was kept must show"

    response = client.post("/points/", {"community": funded.pk, "amount": 2, "to_person": ""}, follow=True)
    shown = response.content.decode()
    assert "Points given." in shown and re.search(r"\b40\b", shown)
    _, later = fetch(client, "/points/")
    assert "Points given." not in later, "a message is shown once, never kept with the page"
    assert re.search(r"\b40\b", later)


def test_each_browser_and_language_gets_its_own_page(volunteer, resident, task):
    claim_create(actor=volunteer, task=task)
    mine = browser(volunteer)
    theirs = browser(resident)
    english = browser(volunteer, language="en")
    for client in (mine, theirs, english):
        client.get("/claims/")
    _, volunteers = fetch(mine, "/claims/")
    _, residents = fetch(theirs, "/claims/")
    _, in_english = fetch(english, "/claims/")
    assert "陪伴独居老人" in volunteers and "陪伴独居老人" not in residents
    assert "My claims" in in_english and "My claims" not in volunteers


def test_a_write_rolled_back_changes_nothing_and_a_committed_one_shows(transactional_db, community, staff, volunteer, make_task):
    task = make_task(title="社区清扫")
    claim_create(actor=volunteer, task=task)
    client = browser(volunteer)
    client.get("/claims/")
    _, before = fetch(client, "/claims/")
    with pytest.raises(RuntimeError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(title="改了又撤回")
        raise RuntimeError
    _, unchanged = fetch(client, "/claims/")
    assert "社区清扫" in unchanged and "改了又撤回" not in unchanged
    with transaction.atomic():
        Task.objects.filter(pk=task.pk).update(title="楼道清扫")
    _, committed = fetch(client, "/claims/")
    assert "楼道清扫" in committed


def test_the_board_of_a_signed_in_person_shows_a_new_task_at_once(volunteer, make_task):
    make_task(title="义务理发")
    client = browser(volunteer)
    client.get("/tasks/")
    _, before = fetch(client, "/tasks/")
    assert "义务理发" in before
    make_task(title="陪老人下棋")
    _, after = fetch(client, "/tasks/")
    assert "陪老人下棋" in after


def test_a_new_name_shows_on_a_kept_home_page(volunteer):
    client = browser(volunteer)
    client.get("/")
    _, before = fetch(client, "/")
    assert volunteer.shown_name in before
    type(volunteer).objects.filter(pk=volunteer.pk).update(display_name="王小明")
    _, page = fetch(client, "/")
    assert "王小明" in page


def test_a_write_that_changes_no_row_keeps_the_page_and_the_next_real_one_renews_it(volunteer, task):
    """Taking a slot deletes the taker's place on the waiting list, which is nearly always empty:
    a write that changed no row must not make every page of everyone be built again (#35)."""
    claim_create(actor=volunteer, task=task)
    client = browser(volunteer)
    client.get("/claims/")
    fetch(client, "/claims/")
    Task.objects.filter(pk=task.pk, title="没有这个任务").update(title="上门理发")  # sent, and finds no row
    WaitlistEntry.objects.filter(task=task, user=volunteer).delete()  # what taking a slot sends
    kept, page = fetch(client, "/claims/")
    assert kept <= 1, f"a write that changed nothing had the page built again ({kept} queries)"
    assert "陪伴独居老人" in page
    Task.objects.filter(pk=task.pk).update(title="上门理发")
    built, page = fetch(client, "/claims/")
    assert built > 1 and "上门理发" in page and "陪伴独居老人" not in page

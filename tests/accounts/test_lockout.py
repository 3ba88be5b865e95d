"""A person locked out by failed logins is unlocked by their community's staff, on a page or through
the API; staff of another community and plain members cannot."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.models import ApiToken
from tests.conftest import browser, error_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def lock_out(api, username: str, ip: str = "127.0.0.1") -> None:
    """Five wrong passwords (the test settings' limit): the fifth is itself answered 429."""
    client = api()
    wrong = {"username": username, "password": "wrong"}
    for _ in range(4):
        assert client.post("auth/token", wrong, REMOTE_ADDR=ip).status_code == 401
    assert error_of(client.post("auth/token", wrong, REMOTE_ADDR=ip)) == (429, "too_many_attempts")


def token_status(api, username: str) -> int:
    return api().post("auth/token", {"username": username, "password": PASSWORD}).status_code


def test_a_locked_out_member_is_unlocked_by_staff_on_the_page_and_logs_in(api, staff, resident):
    lock_out(api, "resident")
    locked = api().post("auth/token", {"username": "resident", "password": PASSWORD})
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "too_many_attempts" and body["detail"] and set(body) == {"detail", "code"}
    assert not ApiToken.objects.filter(user=resident).exists()

    page = browser(staff).get("/accounts/lockouts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "resident" in html and f"/accounts/lockouts/{resident.pk}/unlock/" in html

    response = browser(staff).post(f"/accounts/lockouts/{resident.pk}/unlock/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/accounts/lockouts/"
    assert f"/accounts/lockouts/{resident.pk}/unlock/" not in response.content.decode()  # no longer listed
    assert not AccessAttempt.objects.filter(username="resident").exists()

    assert token_status(api, "resident") == 200
    login = Client().post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert login.status_code == 302


def test_the_community_page_links_its_staff_to_the_locked_out_accounts(staff, resident, community):
    assert "/accounts/lockouts/" in browser(staff).get(f"/communities/{community.pk}/").content.decode()
    assert "/accounts/lockouts/" not in browser(resident).get(f"/communities/{community.pk}/").content.decode()


def test_staff_of_another_community_neither_see_nor_unlock_the_member(api, other_staff, resident):
    lock_out(api, "resident")
    page = browser(other_staff).get("/accounts/lockouts/")
    assert page.status_code == 200
    assert f"/accounts/lockouts/{resident.pk}/unlock/" not in page.content.decode()

    refused = browser(other_staff).post(f"/accounts/lockouts/{resident.pk}/unlock/")
    assert refused.status_code == 403
    assert error_of(api(other_staff).post(f"users/{resident.pk}/unlock")) == (403, "permission_denied")
    assert token_status(api, "resident") == 429  # still locked


def test_a_resident_may_neither_see_the_page_nor_unlock(api, resident, volunteer):
    lock_out(api, "volunteer")
    assert browser(resident).get("/accounts/lockouts/").status_code == 403
    assert browser(resident).post(f"/accounts/lockouts/{volunteer.pk}/unlock/").status_code == 403
    assert error_of(api(resident).post(f"users/{volunteer.pk}/unlock")) == (403, "permission_denied")
    assert token_status(api, "volunteer") == 429


def test_the_page_asks_visitors_to_log_in(resident):
    assert Client().get("/accounts/lockouts/").status_code == 302
    response = Client().post(f"/accounts/lockouts/{resident.pk}/unlock/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unlocking_needs_the_csrf_token(api, staff, resident):
    lock_out(api, "resident")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(f"/accounts/lockouts/{resident.pk}/unlock/").status_code == 403
    assert token_status(api, "resident") == 429


def test_the_district_admin_unlocks_anyone_through_the_api(api, superuser, outsider):
    lock_out(api, "outsider")
    listed = api(superuser).get("lockouts").json()
    assert listed["count"] == 1
    assert listed["items"][0]["username"] == "outsider" and listed["items"][0]["failures"] == 5

    response = api(superuser).post(f"users/{outsider.pk}/unlock")
    assert response.status_code == 200
    assert response.json() == {"user_id": outsider.pk, "attempts_cleared": 1}
    assert token_status(api, "outsider") == 200


def test_unlocking_someone_who_is_not_locked_is_harmless(api, staff, resident):
    first = api(staff).post(f"users/{resident.pk}/unlock")
    assert first.status_code == 200 and first.json()["attempts_cleared"] == 0
    assert api(staff).get("lockouts").json() == {"items": [], "count": 0}


def test_unlock_answers_401_without_credentials_and_404_for_no_such_user(api, staff):
    assert error_of(api().post("users/1/unlock")) == (401, "not_authenticated")
    assert error_of(api(staff).post("users/999999/unlock")) == (404, "user_not_found")


def test_a_name_typed_in_other_letter_case_is_unlocked_too(api, staff, resident):
    lock_out(api, "RESIDENT")
    assert [item["username"] for item in api(staff).get("lockouts").json()["items"]] == ["resident"]
    assert api(staff).post(f"users/{resident.pk}/unlock").json()["attempts_cleared"] == 1
    assert not AccessAttempt.objects.exists()


def test_the_page_speaks_english_with_labelled_controls(api, staff, resident):
    lock_out(api, "resident")
    html = browser(staff, language="en").get("/accounts/lockouts/").content.decode()
    assert "<h1>Locked-out accounts</h1>" in html
    assert "Failed logins" in html
    # The button says whom it unlocks, for a screen reader going from button to button.
    assert f'Unlock<span class="visually-hidden"> {resident.shown_name}</span>' in html


# --- In a real browser, on a phone -------------------------------------------------------------------
from tests.browser.test_journeys import ARGS, CHROMIUM, PHONE, log_in, new_page, shot  # noqa: E402


@pytest.fixture
def chromium():
    import os

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # as in tests/browser: Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        # The test's database calls ran in Playwright's loop, with connections of their own: close them here.
        from django.db import connections

        connections.close_all()
        launched.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale, unlocked_message", [("zh-CN", None), ("en-US", "can log in again")])
def test_on_a_phone_staff_unlock_a_member_and_the_page_passes_the_accessibility_gate(
    chromium, live_server, api, staff, resident, locale, unlocked_message
):
    from axe_playwright_python.sync_playwright import Axe

    # Locked from another address than the staff's browser (the name is locked from that address only).
    lock_out(api, "resident", ip="10.0.0.7")
    page = new_page(chromium, locale=locale, viewport=PHONE)
    log_in(page, live_server.url, "staff", PASSWORD)
    page.goto(f"{live_server.url}/accounts/lockouts/")
    assert page.locator("h1").count() == 1
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    shot(page, f"lockouts-{locale}")

    page.click(f"form[action='/accounts/lockouts/{resident.pk}/unlock/'] button")
    page.wait_for_url(f"{live_server.url}/accounts/lockouts/")
    assert page.locator(f"form[action='/accounts/lockouts/{resident.pk}/unlock/']").count() == 0
    if unlocked_message:
        assert unlocked_message in page.content()
    assert token_status(api, "resident") == 200

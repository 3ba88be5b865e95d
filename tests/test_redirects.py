"""No open redirect through `?next=`: verify, reject, the language switch and the login page only
ever go back to a page of the site (#19.9, docs/security.md)."""


import pytest

from tests.conftest import browser

pytestmark = pytest.mark.django_db


# --- #9 No open redirect through ?next= ------------------------------------------------------------------
EVIL_NEXTS = ["//evil.example", "https://evil.example/x", "/\\evil.example", "\\\\evil.example", "http:evil.example", " //evil.example"]


@pytest.mark.parametrize("action", ["verify", "reject"])
@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_verify_and_reject_never_redirect_off_site(api, task, staff, volunteer, action, evil):
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    response = browser(staff).post(f"/claims/{claim_id}/{action}/", {"next": evil, "reason": "没有到场"})
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"


@pytest.mark.parametrize("action", ["verify", "reject"])
def test_verify_and_reject_still_go_back_to_a_page_of_the_site(api, task, staff, volunteer, action):
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    response = browser(staff).post(f"/claims/{claim_id}/{action}/", {"next": "/claims/queue/", "reason": "没有到场"})
    assert response["Location"] == "/claims/queue/"


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_the_language_switch_never_redirects_off_site(client, evil):
    response = client.get("/language/en/", {"next": evil})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_login_page_never_redirects_off_site(client, volunteer):
    from tests.factories import PASSWORD

    response = client.post("/accounts/login/?next=//evil.example", {"username": volunteer.username, "password": PASSWORD})
    assert response.status_code == 302 and "evil.example" not in response["Location"]



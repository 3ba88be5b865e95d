"""A password change ends every other token and session; no password of spaces; registration does
not tell a prober which names are taken (#19.10, #19.15, docs/security.md)."""


import pytest

from tests.conftest import browser, error_of
from tests.factories import PASSWORD

# --- 10. A password change ends every other token and session; no password of spaces ---------------


def test_changing_the_password_returns_a_fresh_token_and_ends_every_other_token_and_session(api, volunteer):
    from django.test import Client

    from accounts.services import token_create

    old_token = token_create(user=volunteer)
    other_device = Client()
    other_device.force_login(volunteer)
    assert other_device.get("/api/v1/me").status_code == 200

    response = api(volunteer).post("me/password", {"old_password": PASSWORD, "new_password": "a new long passphrase"})
    assert response.status_code == 200
    fresh = response.json()["token"]
    assert api().get("me", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200
    assert api().get("me", HTTP_AUTHORIZATION=f"Bearer {old_token}").status_code == 401
    assert other_device.get("/api/v1/me").status_code == 401


def test_a_wrong_old_password_or_a_weak_new_one_is_400_and_changes_nothing(api, volunteer):
    client = api(volunteer)
    assert error_of(client.post("me/password", {"old_password": "guess", "new_password": "a new long passphrase"})) == (400, "wrong_password")
    assert error_of(client.post("me/password", {"old_password": PASSWORD, "new_password": " " * 8})) == (400, "weak_password")
    volunteer.refresh_from_db()
    assert volunteer.check_password(PASSWORD)
    assert client.get("me").status_code == 200  # the token still works


def test_the_password_page_ends_other_sessions_and_keeps_this_one(volunteer):
    from django.test import Client

    from accounts.services import token_create

    token = token_create(user=volunteer)
    here, elsewhere = browser(volunteer, language="en"), browser(volunteer)
    response = here.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302  # to the login
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.parametrize("password", [" " * 8, "\t" * 10, "\u3000" * 8])
def test_a_password_of_spaces_is_refused_at_registration(db, api, password):
    from accounts.models import User

    response = api(language="en").post("auth/register", {"username": "kongge", "password": password})
    assert error_of(response) == (400, "weak_password")
    assert "spaces" in response.json()["detail"]
    assert not User.objects.filter(username="kongge").exists()


def test_registration_checks_the_password_before_telling_whether_a_name_is_taken(api, outsider):
    # Probing names with a throwaway password no longer tells which ones exist (#19.15).
    response = api().post("auth/register", {"username": "outsider", "password": "123"})
    assert error_of(response) == (400, "weak_password")
    assert error_of(api().post("auth/register", {"username": "outsider", "password": "a-long-passphrase"})) == (409, "username_taken")



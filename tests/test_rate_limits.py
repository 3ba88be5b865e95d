"""Registration, donation creation and `/pay` retries are rate limited: 429 `too_many_attempts`
(#19.15, docs/security.md)."""



from tests.conftest import browser, error_of


# --- 15. Registration, donation creation and /pay retries are rate limited ---------------------------
def test_registration_is_rate_limited_per_address(db, api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (3, 3600)}
    client = api(language="en")
    for i in range(3):
        assert client.post("auth/register", {"username": f"bulk{i}", "password": "a-long-passphrase"}).status_code == 201
    refused = client.post("auth/register", {"username": "bulk9", "password": "a-long-passphrase"})
    assert error_of(refused) == (429, "too_many_attempts")
    assert "Too many attempts" in refused.json()["detail"]
    page = browser(language="en").post("/accounts/register/", {"username": "bulk10", "password": "a-long-passphrase", "password2": "a-long-passphrase"})
    assert page.status_code == 429 and "Too many attempts" in page.content.decode()
    # Another address is not held back.
    assert client.post("auth/register", {"username": "elsewhere", "password": "a-long-passphrase"}, REMOTE_ADDR="198.51.100.20").status_code == 201


def test_anonymous_donations_are_rate_limited(api, community, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "donation_create": (2, 3600)}
    body = {"community_id": community.pk, "amount": 1000, "currency": "cny"}
    for _ in range(2):
        assert api().post("donations", body).status_code != 429
    assert error_of(api().post("donations", body)) == (429, "too_many_attempts")


def test_paying_one_donation_again_and_again_is_rate_limited_from_any_address(db, api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "donation_pay": (3, 3600)}
    body = {"client_secret": "pi_x_secret_y", "token": "tok_visa"}
    for i in range(3):
        assert api().post("donations/424242/pay", body, REMOTE_ADDR=f"198.51.100.{i}").status_code == 404
    # A fourth card from a fourth address, for the same donation: refused.
    assert error_of(api().post("donations/424242/pay", body, REMOTE_ADDR="198.51.100.99")) == (429, "too_many_attempts")



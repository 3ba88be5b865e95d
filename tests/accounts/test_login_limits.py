"""Failed logins are limited per name and address together, and much higher per address: nobody is
locked out from elsewhere, nor a community centre by one person's typos (#19.7, docs/security.md)."""



from tests.conftest import error_of
from tests.factories import PASSWORD


# --- 7. Failed logins are limited per person and address together, and much higher per address -------
def _fail(api, username, ip):
    return api().post("auth/token", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_failures_from_five_addresses_do_not_lock_the_person_out(api, resident):
    for i in range(5):
        assert _fail(api, "resident", f"198.51.100.{i}").status_code == 401
    # The owner, from their own address, still gets in.
    assert api().post("auth/token", {"username": "resident", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5").status_code == 200


def test_one_persons_typos_do_not_lock_out_everyone_behind_the_same_address(api, resident, volunteer):
    for _ in range(5):
        _fail(api, "resident", "203.0.113.1")
    assert error_of(_fail(api, "resident", "203.0.113.1")) == (429, "rate_limited")  # that name, from there
    # Five failures for five names from the community centre's address lock no one else.
    for name in ("a1", "a2", "a3", "a4"):
        _fail(api, name, "203.0.113.1")
    assert api().post("auth/token", {"username": "volunteer", "password": PASSWORD}, REMOTE_ADDR="203.0.113.1").status_code == 200


def test_many_failures_from_one_address_lock_the_address(api, volunteer, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for i in range(12):
        _fail(api, f"guess{i}", "192.0.2.66")
    locked = api().post("auth/token", {"username": "volunteer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.66")
    assert error_of(locked) == (429, "rate_limited")
    assert api().post("auth/token", {"username": "volunteer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.67").status_code == 200



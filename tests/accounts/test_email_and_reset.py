"""The account's email and password reset (contract additions, issues #16 and #20). The reset mail
goes through Django's SMTP backend to a real SMTP server on loopback (aiosmtpd); the test reads the
message it received, follows the link and sets the new password."""

import email
import re
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import override_settings

from accounts.models import User
from tests.conftest import browser, error_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"(https?)://([^/\s]+)(/accounts/reset/([^/\s]+)/([^/\s]+)/)")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, and Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
            EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", EMAIL_USE_TLS=False, DEFAULT_FROM_EMAIL="社区集市 <noreply@market.test>",
        ):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def person(db):
    user = UserFactory(username="wang_ayi", display_name="王阿姨", email="wang@example.cn")
    user.set_password("old-password-2026")
    user.save()
    return user


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_reset_mail_goes_out_by_smtp_and_its_link_sets_a_new_password(api, smtp, person):
    old_token = api(person).headers["HTTP_AUTHORIZATION"]
    old_session = browser(person)
    answer = api().post("auth/password-reset", {"email": "WANG@example.cn"})
    assert answer.status_code == 202
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["wang@example.cn"]
    assert "noreply@market.test" in message["From"] and "社区集市" in message["Subject"]
    body = _body(message)
    assert "王阿姨" in body and "wang_ayi" in body
    scheme, host, path, uid, token = LINK.search(body).groups()
    assert f"{scheme}://{host}" == settings.SITE_URL
    # The API's confirm with the two parts of the link.
    assert error_of(api().post("auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "123"})) == (400, "weak_password")
    done = api().post("auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "new-password-2026"})
    assert done.status_code == 200
    assert api().post("auth/token", {"username": "wang_ayi", "password": "new-password-2026"}).status_code == 200
    assert api().post("auth/token", {"username": "wang_ayi", "password": "old-password-2026"}).status_code in (400, 401)
    # Old tokens and sessions stop working; the link works once.
    assert api().get("me", HTTP_AUTHORIZATION=old_token).status_code == 401
    assert old_session.get("/accounts/profile/").status_code == 302
    again = api().post("auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "other-password-2026"})
    assert error_of(again) == (400, "invalid_reset_link")


def test_the_pages_send_the_mail_and_follow_the_link(smtp, person):
    client = browser(language="zh-hans")
    login_page = client.get("/accounts/login/").content.decode()
    assert "/accounts/password/reset/" in login_page
    sent = client.post("/accounts/password/reset/", {"email": "wang@example.cn"}, follow=True)
    assert "请查收邮件" in sent.content.decode()
    path = LINK.search(_body(smtp.messages[0][1])).group(3)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "new-password-2026", "new_password2": "new-password-2026"}, follow=True)
    assert "新密码已设置" in done.content.decode()
    person.refresh_from_db()
    assert person.check_password("new-password-2026")
    # Used once: the same link now says so.
    assert "链接无效" in browser().get(path, follow=True).content.decode()


@pytest.mark.parametrize("through", ["api", "page"])
def test_the_reset_link_is_on_site_url_whatever_host_the_request_names(api, smtp, person, through):
    """Issue #36.5: ``Host: 127.0.0.1:6666`` must not send the person's reset token to that host."""
    forged = {"HTTP_HOST": "127.0.0.1:6666"}
    with override_settings(ALLOWED_HOSTS=["*"], SITE_URL="https://market.example.cn"):
        if through == "api":
            assert api().post("auth/password-reset", {"email": "wang@example.cn"}, **forged).status_code == 202
        else:
            assert browser().post("/accounts/password/reset/", {"email": "wang@example.cn"}, **forged).status_code == 302
    body = _body(smtp.messages[0][1])
    assert "6666" not in body
    assert LINK.search(body).group(0).startswith("https://market.example.cn/accounts/reset/")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(api, smtp, person):
    known = api().post("auth/password-reset", {"email": "wang@example.cn"})
    unknown = api().post("auth/password-reset", {"email": "nobody@example.cn"})
    not_an_address = api().post("auth/password-reset", {"email": "不是邮箱"})
    assert known.status_code == unknown.status_code == not_an_address.status_code == 202
    assert known.json() == unknown.json() == not_an_address.json()
    assert len(smtp.messages) == 1


def test_a_forged_link_is_refused(api, person):
    assert error_of(api().post("auth/password-reset/confirm", {"uid": "MQ", "token": "abc-123", "new_password": "new-password-2026"})) == (
        400, "invalid_reset_link",
    )
    assert error_of(api().post("auth/password-reset/confirm", {"uid": "!!", "token": "x", "new_password": "new-password-2026"}))[1] == (
        "invalid_reset_link"
    )
    person.refresh_from_db()
    assert person.check_password("old-password-2026")


def test_without_email_host_mail_goes_to_the_console(settings):
    from importlib import reload

    import config.settings as real

    assert real.EMAIL_BACKEND.endswith(("console.EmailBackend", "smtp.EmailBackend"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("EMAIL_HOST", raising=False)
        assert reload(real).EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
        mp.setenv("EMAIL_HOST", "smtp.example.cn")
        mp.setenv("EMAIL_PORT", "587")
        mp.setenv("EMAIL_USE_TLS", "1")
        reloaded = reload(real)
        assert (reloaded.EMAIL_BACKEND, reloaded.EMAIL_HOST, reloaded.EMAIL_PORT, reloaded.EMAIL_USE_TLS) == (
            "django.core.mail.backends.smtp.EmailBackend", "smtp.example.cn", 587, True,
        )
    reload(real)


def test_register_takes_an_email_and_me_changes_it(api):
    created = api().post("auth/register", {"username": "li_shu", "password": "long-password-2026", "email": "li@example.cn"})
    assert created.status_code == 201
    user = User.objects.get(username="li_shu")
    assert user.email == "li@example.cn"
    assert error_of(api().post("auth/register", {"username": "li_shu2", "password": "long-password-2026", "email": "not-an-address"})) == (
        400, "invalid_email",
    )
    assert not User.objects.filter(username="li_shu2").exists()
    me = api(user)
    changed = me.client.patch("/api/v1/me", '{"display_name": "李叔"}', content_type="application/json", **me.headers)
    assert changed.status_code == 200 and changed.json()["display_name"] == "李叔" and changed.json()["email"] == "li@example.cn"
    changed = me.client.patch("/api/v1/me", '{"email": "lishu@example.cn"}', content_type="application/json", **me.headers)
    assert changed.json()["email"] == "lishu@example.cn" and changed.json()["display_name"] == "李叔"
    bad = me.client.patch("/api/v1/me", '{"email": "bad@"}', content_type="application/json", **me.headers)
    assert error_of(bad) == (400, "invalid_email")
    user.refresh_from_db()
    assert user.email == "lishu@example.cn"


def test_the_profile_page_keeps_the_email(person):
    client = browser(person)
    assert "wang@example.cn" in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/profile/", {"display_name": "王阿姨", "email": "wang2@example.cn"})
    person.refresh_from_db()
    assert person.email == "wang2@example.cn"

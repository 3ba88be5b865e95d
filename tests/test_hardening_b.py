"""Regression tests for the outside security review (issue #19), items 4-15 handled on branch work-b.

Each test states what a person would notice if the hole were open again."""

import json
from datetime import date, timedelta

import pytest

from accounts.models import CommunityInvitation, Membership, Notification
from tests.conftest import browser, error_of
from tests.factories import PASSWORD


# --- 5. Nobody is pulled into a community without consent ------------------------------------------
def test_staff_only_invite_an_outsider_and_nothing_changes_until_they_accept(
    api, staff, community, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "invited"
    assert not Membership.objects.filter(user=outsider).exists()
    # The invited person is told, and sees the invitation in their list and on their page.
    note = Notification.objects.get(user=outsider)
    assert note.kind == "community_invitation" and note.url == "/accounts/invitations/"
    listed = api(outsider).get("me/invitations").json()
    assert [i["id"] for i in listed["items"]] == [body["invitation_id"]]
    assert listed["items"][0]["community_id"] == community.pk and listed["items"][0]["role"] == "staff"
    assert community.name in browser(outsider).get("/accounts/invitations/").content.decode()

    accepted = api(outsider).post(f"invitations/{body['invitation_id']}/accept")
    assert accepted.status_code == 201
    assert accepted.json()["role"] == "staff" and accepted.json()["community_id"] == community.pk
    assert Membership.objects.filter(user=outsider, community=community, role="staff").exists()
    # Answered: it leaves the list, and a second accept is refused.
    assert api(outsider).get("me/invitations").json()["count"] == 0
    assert error_of(api(outsider).post(f"invitations/{body['invitation_id']}/accept")) == (409, "invitation_answered")


def test_a_declined_invitation_changes_nothing(api, staff, community, outsider):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"}).json()["invitation_id"]
    response = api(outsider).post(f"invitations/{invitation_id}/decline")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert error_of(api(outsider).post(f"invitations/{invitation_id}/accept")) == (409, "invitation_answered")
    assert not Membership.objects.filter(user=outsider).exists()


def test_only_the_invited_person_can_answer_an_invitation(api, staff, community, outsider, volunteer):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"}).json()["invitation_id"]
    assert error_of(api(staff).post(f"invitations/{invitation_id}/accept")) == (404, "invitation_not_found")
    assert error_of(api(volunteer).post(f"invitations/{invitation_id}/decline")) == (404, "invitation_not_found")
    assert CommunityInvitation.objects.get(pk=invitation_id).status == "pending"


def test_staff_cannot_make_another_communitys_staff_their_own_staff(api, staff, community, other_staff):
    response = api(staff).post(f"communities/{community.pk}/members", {"user_id": other_staff.pk, "role": "staff"})
    assert response.status_code == 202
    assert not Membership.objects.filter(user=other_staff, community=community).exists()


def test_an_invitation_lapses_when_the_inviter_is_no_longer_staff_there(api, staff, community, outsider):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"}).json()["invitation_id"]
    Membership.objects.filter(user=staff, community=community, role="staff").delete()
    assert error_of(api(outsider).post(f"invitations/{invitation_id}/accept")) == (409, "invitation_lapsed")
    assert not Membership.objects.filter(user=outsider).exists()


def test_staff_give_a_member_of_their_community_another_role_at_once(api, staff, community, resident):
    response = api(staff).post(f"communities/{community.pk}/members", {"user_id": resident.pk, "role": "volunteer"})
    assert response.status_code == 201 and response.json()["role"] == "volunteer"


def test_the_superuser_still_adds_at_once(api, superuser, community, outsider):
    response = api(superuser).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"})
    assert response.status_code == 201
    assert Membership.objects.filter(user=outsider, community=community).exists()


def test_the_staff_page_invites_through_the_same_service(staff, community, outsider):
    response = browser(staff, language="en").post(f"/communities/{community.pk}/members/", {"person": "outsider", "role": "staff"}, follow=True)
    assert "invited" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    invitation = CommunityInvitation.objects.get(user=outsider)
    browser(outsider).post(f"/accounts/invitations/{invitation.pk}/decline/")
    assert CommunityInvitation.objects.get(pk=invitation.pk).status == "declined"


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


# --- 6. A body over the limit is refused before it is stored ------------------------------------------
def _asgi_post(path: str, chunks: list[bytes], *, content_length: int | None, language: str = "en"):
    """POST through the real ASGI application (config/asgi.py), as uvicorn would; returns the
    status, the body and how many body bytes the application asked for."""
    from asgiref.sync import async_to_sync

    from config.asgi import application

    headers = [(b"host", b"localhost"), (b"content-type", b"multipart/form-data; boundary=x"), (b"accept-language", language.encode())]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("203.0.113.9", 50000), "server": ("localhost", 80),
    }
    pending = list(chunks)
    read = 0
    sent = []

    async def receive():
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    async_to_sync(application)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, read


MB = 1024 * 1024


@pytest.mark.django_db
def test_an_anonymous_30_mb_login_post_is_refused_without_reading_it():
    status, body, read = _asgi_post("/accounts/login/", [b"x" * MB] * 30, content_length=30 * MB, language="zh-hans")
    assert status == 413
    assert read == 0  # not one byte was read, so none was spooled
    assert "请求太大" in body.decode()


@pytest.mark.django_db
def test_a_streamed_body_is_counted_and_refused_at_the_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = 2 * MB
    status, body, read = _asgi_post("/api/v1/auth/token", [b"x" * MB] * 30, content_length=None)
    assert status == 413
    assert json.loads(body) == {"detail": json.loads(body)["detail"], "code": "too_large"}
    assert read <= 3 * MB  # reading stopped just past the limit, not at 30 MB


@pytest.mark.django_db
def test_the_limit_answers_413_inside_django_too(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = client.post("/api/v1/auth/register", {"username": "x", "password": "y" * 5000}, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    page = client.post("/accounts/register/", {"username": "x", "password": "y" * 5000})
    assert page.status_code == 413


# --- 13. Private uploads are served only to whoever may read the record --------------------------------
PDF = b"%PDF-1.4 sealed bid: our price and our staff's names\n"


@pytest.fixture
def on_disk(settings, tmp_path):
    """Uploads on a real disk under a temporary MEDIA_ROOT, as in production (so /media/ could serve them)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def sealed_bid(on_disk, staff, community):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from marketplace.services import project_create
    from orders.services import bid_submit
    from tests.orders.test_projects import bidder

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=3))
    org, admin = bidder(community, "重庆暖洋洋社会工作服务中心")
    bid = bid_submit(actor=admin, project=project, organization=org, amount=500_000, proposal="入户探访",
                     attachment=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"))
    return bid, admin


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def test_a_sealed_bid_attachment_is_not_served_by_its_media_address(sealed_bid, staff, superuser):
    bid, admin = sealed_bid
    assert (bid.attachment.storage.path(bid.attachment.name)).endswith(".pdf")  # it is on disk
    for viewer in (None, staff, superuser, admin):
        assert browser(viewer).get(f"/media/{bid.attachment.name}").status_code == 404


def test_a_bid_attachment_goes_to_the_bidder_and_after_the_deadline_to_staff_only(sealed_bid, staff, other_staff, resident):
    import time_machine

    bid, admin = sealed_bid
    url = f"/projects/bids/{bid.pk}/attachment/"
    response = browser(admin).get(url)
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    for stranger in (None, resident, staff, other_staff):  # sealed: staff too, before the deadline
        assert browser(stranger).get(url).status_code == 404
    with time_machine.travel(bid.project.bid_deadline + timedelta(minutes=1)):
        assert _body(browser(staff).get(url)) == PDF
        assert browser(other_staff).get(url).status_code == 404
        assert browser(resident).get(url).status_code == 404


def test_a_spending_voucher_is_served_through_its_record_not_its_media_address(on_disk, staff, community, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from funds.models import Spending

    # Recorded directly: the fund's balance rules are not what this test is about.
    spending = Spending.objects.create(
        community=community, amount=100, currency="cny", spent_on=date.today(), purpose="购买慰问品", payee="社区超市",
        voucher=SimpleUploadedFile("发票.pdf", PDF), created_by=staff,
    )
    assert browser(resident).get(f"/media/{spending.voucher.name}").status_code == 404
    page = browser(resident).get(f"/communities/{community.pk}/funds/").content.decode()
    url = f"/communities/{community.pk}/funds/spending/{spending.pk}/voucher/"
    assert url in page
    assert _body(browser(resident).get(url)) == PDF
    assert browser().get(f"/communities/{community.pk + 1000}/funds/spending/{spending.pk}/voucher/").status_code == 404


def test_reward_pictures_stay_public(on_disk, community):
    (on_disk / "rewards").mkdir()
    (on_disk / "rewards" / "bag.png").write_bytes(b"\x89PNG picture")
    assert browser().get("/media/rewards/bag.png").status_code == 200
    assert browser().get("/media/rewards/../rewards/bag.png").status_code == 404


# --- 4. A project's terms lock once a bid exists; every admin change is in its history ----------------
class _FormFields(__import__("html.parser").parser.HTMLParser):
    """The fields a browser would send from the admin's change form, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def _admin_form(client, url) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_the_admin_cannot_move_a_deadline_or_budget_or_weights_once_a_bid_exists(sealed_bid, superuser):
    from django.utils import timezone

    from marketplace.models import ProjectCriterion

    bid, _admin = sealed_bid
    project = bid.project
    deadline, budget = project.bid_deadline, project.budget
    client = browser(superuser, language="en")
    url = f"/admin/marketplace/project/{project.pk}/change/"
    data = _admin_form(client, url)
    assert "bid_deadline_0" not in data and "budget" not in data  # shown read-only
    # A forged post (or a form opened before the bid came in) changes none of them either.
    early = timezone.localtime() - timedelta(hours=1)
    data.update({"bid_deadline_0": early.strftime("%Y-%m-%d"), "bid_deadline_1": early.strftime("%H:%M:%S"), "budget": "1"})
    client.post(url, data)
    project.refresh_from_db()
    assert (project.bid_deadline, project.budget) == (deadline, budget)
    assert not project.bidding_closed()  # the sealed bid stays sealed
    assert list(ProjectCriterion.objects.filter(project=project).values_list("weight", flat=True)) == [40, 30, 30]


def test_the_service_refuses_to_change_the_terms_once_a_bid_exists(sealed_bid, staff):
    from core.errors import Conflict
    from orders.services import project_change_terms

    bid, _admin = sealed_bid
    with pytest.raises(Conflict) as exc:
        project_change_terms(actor=staff, project=bid.project, criteria=[("报价", 100)])
    assert exc.value.code == "project_terms_locked"
    assert bid.project.criteria.count() == 3


def test_every_admin_change_of_a_project_is_in_its_history(superuser, staff, community):
    from django.utils import timezone

    from marketplace.models import Project, ProjectStatusChange
    from marketplace.services import project_create

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=3))
    client = browser(superuser, language="en")
    url = f"/admin/marketplace/project/{project.pk}/change/"
    data = _admin_form(client, url)
    data.update({"budget": "2000000", "criteria-0-weight": "30", "criteria-1-weight": "40"})
    assert client.post(url, data).status_code == 302
    assert Project.objects.get(pk=project.pk).budget == 2_000_000  # no bid yet: allowed
    change = ProjectStatusChange.objects.filter(project=project).last()
    assert change.actor == superuser
    assert "budget" in change.note.lower() and "30%" in change.note


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


# --- 12. A strict Content-Security-Policy everywhere; Swagger UI from our own files ----------------------
def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/tasks/", "/accounts/login/", "/api/v1/tasks", "/api/v1/docs"])
def test_pages_and_answers_carry_a_strict_policy(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no other host
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_no_template_holds_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    from django.conf import settings

    found = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+\s*=", text):
            found.append(f"{template.name}: {match.group(0).strip()}")
    assert found == []


def test_stripe_js_is_allowed_only_on_the_donate_page_when_donations_are_set_up(db, client, community, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    donate = _csp(client.get(f"/donate/?community={community.pk}"))
    assert "https://js.stripe.com" in donate["script-src"] and "https://js.stripe.com" in donate["frame-src"]
    assert "stripe" not in client.get("/")["Content-Security-Policy"]
    settings.STRIPE_SECRET_KEY = ""
    assert "stripe" not in client.get(f"/donate/?community={community.pk}")["Content-Security-Policy"]


def test_the_api_docs_load_nothing_from_another_host(db, client):
    import re

    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in a for a in addresses)
    assert [a for a in addresses if a.startswith(("http:", "https:", "//"))] == []
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")  # one of our static files, collected and served by WhiteNoise

"""Regression tests for the outside security review (issue #19), one section per finding."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from marketplace.models import Project, Task
from tests.conftest import ON_REDIS, browser, error_of
from tests.factories import MembershipFactory
from tests.orders.test_donations import localstripe_url, payments  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


# --- #3 A cancelled draft stays as private as a draft -------------------------------------------------
def test_a_cancelled_draft_task_stays_private_through_the_api_and_the_pages(api, make_task, staff, volunteer, community):
    from orders.services import task_cancel

    draft = make_task(draft=True, title="未公开的草稿任务")
    task_cancel(actor=staff, task=draft, reason="不办了")
    draft.refresh_from_db()
    assert draft.status == Task.Status.CANCELLED and draft.published_at is None
    for caller in (api(), api(volunteer)):
        assert error_of(caller.get(f"tasks/{draft.pk}"))[0] == 404
        listed = caller.get("tasks", {"status": "cancelled"})
        assert listed.status_code == 200 and draft.pk not in [t["id"] for t in listed.json()["items"]]
    for client in (browser(), browser(volunteer)):
        assert client.get(f"/tasks/{draft.pk}/card/").status_code == 404
        assert client.get(f"/tasks/{draft.pk}/").status_code == 404
    # Its own staff still see it.
    assert api(staff).get(f"tasks/{draft.pk}").status_code == 200
    assert browser(staff).get(f"/tasks/{draft.pk}/").status_code == 200


def test_a_cancelled_published_task_is_still_public(api, make_task, staff):
    from orders.services import task_cancel

    task = make_task()
    task_cancel(actor=staff, task=task, reason="暴雨")
    response = api().get(f"tasks/{task.pk}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_published_draft_becomes_public_and_remembers_when(api, make_task, staff):
    from marketplace.services import task_publish

    draft = make_task(draft=True)
    assert api().get(f"tasks/{draft.pk}").status_code == 404
    task_publish(actor=staff, task=draft)
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert api().get(f"tasks/{draft.pk}").status_code == 200


def test_a_cancelled_draft_project_stays_private(api, staff, volunteer, community):
    body = {"community_id": community.pk, "title": "未公开的草稿项目", "budget": 100_000, "currency": "cny",
            "bid_deadline": (timezone.now() + timedelta(days=3)).isoformat(), "draft": True}
    created = api(staff).post("projects", body)
    assert created.status_code == 201, created.content
    project_id = created.json()["id"]
    assert api(staff).post(f"projects/{project_id}/cancel", {"reason": "不办了"}).status_code == 200
    assert Project.objects.get(pk=project_id).status == Project.Status.CANCELLED
    for caller in (api(), api(volunteer)):
        assert caller.get(f"projects/{project_id}").status_code == 404
        assert project_id not in [p["id"] for p in caller.get("projects").json()["items"]]
        assert caller.get(f"funds/{community.pk}", {"project": project_id}).status_code == 404
    for client in (browser(), browser(volunteer)):
        assert client.get(f"/projects/{project_id}/").status_code == 404
        assert "未公开的草稿项目" not in client.get(f"/communities/{community.pk}/info/").content.decode()
        assert client.get(f"/communities/{community.pk}/projects/{project_id}/funds/").status_code == 404
    assert api(staff).get(f"projects/{project_id}").status_code == 200


def test_the_migration_backfills_published_from_the_history(make_task, staff):
    import importlib

    from django.apps import apps

    from marketplace.services import task_publish
    from orders.services import task_cancel

    backfill = importlib.import_module("marketplace.migrations.0008_published_at").backfill
    never = make_task(draft=True)
    task_cancel(actor=staff, task=never)
    once = make_task(draft=True)
    task_publish(actor=staff, task=once)
    task_cancel(actor=staff, task=once)
    still_draft, live = make_task(draft=True), make_task()
    Task.objects.update(published_at=None)
    backfill(apps, None)
    published = dict(Task.objects.values_list("pk", "published_at"))
    assert published[never.pk] is None and published[still_draft.pk] is None
    assert published[once.pk] is not None and published[live.pk] is not None


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_draft_is_never_pushed_to_the_board(board_world):
    from config.asgi import application
    from marketplace.services import task_create
    from orders.services import task_cancel

    community, staff, _volunteer, _task, fields = board_world

    async def scenario():
        board = WebsocketCommunicator(application, f"/ws/communities/{community.pk}/tasks/")
        district = WebsocketCommunicator(application, "/ws/tasks/")
        assert (await board.connect())[0] and (await district.connect())[0]
        draft = await database_sync_to_async(task_create)(actor=staff, community=community, fields=fields, draft=True)
        await database_sync_to_async(task_cancel)(actor=staff, task=draft, reason="不办了")
        assert await board.receive_nothing(timeout=0.5)
        assert await district.receive_nothing(timeout=0.1)
        await board.disconnect()
        await district.disconnect()

    async_to_sync(scenario)()


# --- #2 Formula injection in exports -------------------------------------------------------------------
def _xlsx_rows(response) -> list[list]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _csv_rows(response) -> list[list]:
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_donor_name_that_is_a_formula_is_exported_as_text(api, community, staff, payments):
    created = api().post("donations", {"community_id": community.pk, "amount": 5_000, "currency": "cny", "donor_name": "=1+1", "message": "@SUM(A1)"})
    assert created.status_code == 201, created.content
    client = browser(staff)
    rows = _xlsx_rows(client.get(f"/communities/{community.pk}/donations/export/", {"format": "xlsx"}))
    assert rows[1][3] == "'=1+1" and rows[1][7] == "'@SUM(A1)"
    assert rows[1][4] == 50  # the amount is still a number, in yuan
    rows = _csv_rows(client.get(f"/communities/{community.pk}/donations/export/", {"format": "csv"}))
    assert rows[1][3] == "'=1+1" and rows[1][7] == "'@SUM(A1)" and rows[1][4] == "50.00"


def test_a_display_name_that_is_a_formula_is_exported_as_text_in_the_ledger(community, staff, volunteer, give):
    volunteer.display_name = '=HYPERLINK("http://evil.example","点我")'
    volunteer.save()
    give(volunteer, 40)
    client = browser(staff)
    for fmt, read in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = read(client.get(f"/communities/{community.pk}/ledger/export/", {"format": fmt}))
        names = [row[3] for row in rows[1:]]
        assert "'" + volunteer.display_name in names, (fmt, names)
        assert volunteer.display_name not in names
        pool_leg = next(row for row in rows[1:] if row[3] != "'" + volunteer.display_name and str(row[4]).startswith("-"))
        assert pool_leg[4] in (-40, "-40")  # a negative number stays a number, not neutralised text


@pytest.mark.parametrize(
    "value, written",
    [("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("王先生", "王先生"), ("", ""), (-40, -40), (None, None)],
)
def test_every_export_cell_is_neutralised_in_one_place(value, written):
    from core.exports import safe_cell

    assert safe_cell(value) == written


# --- #1 Check-in codes cannot be guessed ---------------------------------------------------------------
@pytest.mark.parametrize("action", ["check-in", "check-out"])
def test_five_wrong_codes_lock_the_claim_even_for_the_right_code(api, task, staff, volunteer, action):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.models import Claim

    me = api(volunteer)
    claim_id = me.post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at + timedelta(minutes=5), tick=False):
        if action == "check-out":
            right = task_checkin_code(actor=staff, task=task)[0]
            assert me.post(f"claims/{claim_id}/check-in", {"code": right}).status_code == 200
        for _ in range(5):
            assert error_of(me.post(f"claims/{claim_id}/{action}", {"code": "000000"})) == (400, "invalid_code")
        right = task_checkin_code(actor=staff, task=task)[0]
        locked = me.post(f"claims/{claim_id}/{action}", {"code": right})
        assert error_of(locked) == (429, "too_many_attempts")
        assert "错误次数过多" in locked.json()["detail"]
    claim = Claim.objects.get(pk=claim_id)
    assert (claim.checked_out_at if action == "check-out" else claim.checked_in_at) is None
    if ON_REDIS:
        return  # Redis expires keys by its own clock, which time_machine does not move
    # Ten minutes later the right code works again.
    with time_machine.travel(task.starts_at + timedelta(minutes=16), tick=False):
        right = task_checkin_code(actor=staff, task=task)[0]
        assert me.post(f"claims/{claim_id}/{action}", {"code": right}).status_code == 200


def test_wrong_codes_are_counted_per_claim(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    task = make_task(slots=3)
    other = MembershipFactory(community=task.community, role="volunteer").user
    mine = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    theirs = api(other).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at, tick=False):
        for _ in range(6):
            api(volunteer).post(f"claims/{mine}/check-in", {"code": "123456"})
        right = task_checkin_code(actor=staff, task=task)[0]
        assert api(other).post(f"claims/{theirs}/check-in", {"code": right}).json()["status"] == "checked_in"


def test_the_task_page_form_is_throttled_by_the_same_service_and_says_so(api, task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.models import Claim

    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    page = browser(volunteer)
    with time_machine.travel(task.starts_at, tick=False):
        for _ in range(5):
            page.post(f"/claims/{claim_id}/check-in/", {"code": "999999"})
        right = task_checkin_code(actor=staff, task=task)[0]
        response = page.post(f"/claims/{claim_id}/check-in/", {"code": right}, follow=True)
    assert "错误次数过多" in response.content.decode()
    assert Claim.objects.get(pk=claim_id).checked_in_at is None


def test_check_in_declares_its_429(client):
    schema = client.get("/api/v1/openapi.json").json()
    for action in ("check-in", "check-out"):
        assert "429" in schema["paths"][f"/api/v1/claims/{{claim_id}}/{action}"]["post"]["responses"]


# --- #19 An early check-in does not close claiming -----------------------------------------------------
def test_an_early_check_in_keeps_the_task_open_for_claims_until_its_start(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code
    from orders.services import claims_mark_no_shows

    task = make_task(slots=3)
    latecomer = MembershipFactory(community=task.community, role="volunteer").user
    first = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=20), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        assert api(volunteer).post(f"claims/{first}/check-in", {"code": code}).json()["status"] == "checked_in"
        shown = api().get(f"tasks/{task.pk}").json()
        assert (shown["status"], shown["slots_taken"]) == ("open", 1)
        assert task.pk in [t["id"] for t in api().get("tasks", {"has_slots": "true"}).json()["items"]]
        assert api(latecomer).post(f"tasks/{task.pk}/claims").status_code == 201  # the board said a slot is free
    with time_machine.travel(task.starts_at + timedelta(minutes=5), tick=False):
        # Started: no longer offered as a free slot, claims refused, and the sweep says it is under way.
        assert task.pk not in [t["id"] for t in api().get("tasks", {"has_slots": "true"}).json()["items"]]
        third = MembershipFactory(community=task.community, role="volunteer").user
        assert error_of(api(third).post(f"tasks/{task.pk}/claims")) == (409, "task_not_open")
        claims_mark_no_shows()
    task.refresh_from_db()
    assert (task.status, task.slots_taken) == ("in_progress", 2)


def test_a_check_in_after_the_start_puts_the_task_in_progress(api, task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at + timedelta(minutes=1), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        api(volunteer).post(f"claims/{claim_id}/check-in", {"code": code})
    task.refresh_from_db()
    assert task.status == "in_progress"


def test_a_full_task_whose_early_arrival_is_rejected_before_the_start_reopens(api, make_task, staff, volunteer):
    import time_machine

    from marketplace.services import task_checkin_code

    task = make_task(slots=1)
    claim_id = api(volunteer).post(f"tasks/{task.pk}/claims").json()["id"]
    with time_machine.travel(task.starts_at - timedelta(minutes=10), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        api(volunteer).post(f"claims/{claim_id}/check-in", {"code": code})
        assert api().get(f"tasks/{task.pk}").json()["status"] == "full"
        assert api(staff).post(f"claims/{claim_id}/reject", {"reason": "不是本人"}).status_code == 200
        shown = api().get(f"tasks/{task.pk}").json()
        assert (shown["status"], shown["slots_taken"]) == ("open", 0)
        other = MembershipFactory(community=task.community, role="volunteer").user
        assert api(other).post(f"tasks/{task.pk}/claims").status_code == 201


# --- #14 The Stripe webhook matches the donation's own PaymentIntent, amount and currency --------------
def _signed_webhook(client, kind: str, obj: dict, event_id: str):
    import json
    import time

    import stripe

    from tests.orders.test_donations import WEBHOOK_SECRET

    payload = json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}})
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()))
    return client.post("/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


@pytest.fixture
def yen_donation(db, community, settings):
    from funds.models import Donation
    from tests.orders.test_donations import WEBHOOK_SECRET

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return Donation.objects.create(community=community, amount=50_000, currency="cny", payment_intent_id="pi_own_intent", donor_name="王先生")


@pytest.mark.parametrize(
    "obj, why",
    [
        ({"id": "pi_someone_elses", "amount": 50_000, "currency": "cny"}, "another intent naming it in its metadata"),
        ({"id": "pi_own_intent", "amount": 100, "currency": "usd"}, "1 USD"),
        ({"id": "pi_own_intent", "amount": 100, "currency": "cny"}, "1 yuan"),
        ({"id": "pi_own_intent", "amount": 50_000, "currency": "usd"}, "the right number in another currency"),
        ({"id": "pi_own_intent", "currency": "cny"}, "no amount"),
    ],
)
def test_a_signed_success_that_does_not_match_the_donation_moves_nothing(client, yen_donation, obj, why, caplog):
    from funds.models import StripeEvent
    from funds.services import fund_figures

    obj = {"object": "payment_intent", "metadata": {"donation_id": str(yen_donation.pk)}, **obj}
    with caplog.at_level("WARNING", logger="funds.services"):
        response = _signed_webhook(client, "payment_intent.succeeded", obj, "evt_forged")
    assert response.status_code == 200, why
    yen_donation.refresh_from_db()
    assert yen_donation.status == "pending", why
    assert fund_figures(community=yen_donation.community)["raised"] == 0
    assert StripeEvent.objects.filter(event_id="evt_forged").exists()  # recorded
    assert "evt_forged" in caplog.text  # and logged


def test_a_refund_in_another_currency_moves_nothing(client, yen_donation):
    ok = {"id": "pi_own_intent", "object": "payment_intent", "amount": 50_000, "currency": "cny"}
    assert _signed_webhook(client, "payment_intent.succeeded", ok, "evt_ok").json() == {"status": "applied"}
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_own_intent", "amount": 50_000, "currency": "usd", "amount_refunded": 50_000}
    assert _signed_webhook(client, "charge.refunded", charge, "evt_refund_usd").json() == {"status": "mismatch"}
    yen_donation.refresh_from_db()
    assert (yen_donation.status, yen_donation.refunded_amount) == ("succeeded", 0)


def test_the_matching_success_counts(client, yen_donation):
    ok = {"id": "pi_own_intent", "object": "payment_intent", "amount": 50_000, "amount_received": 50_000, "currency": "cny"}
    assert _signed_webhook(client, "payment_intent.succeeded", ok, "evt_ok").json() == {"status": "applied"}
    yen_donation.refresh_from_db()
    assert yen_donation.status == "succeeded"


# --- #8 An Idempotency-Key reused with a different body is refused ------------------------------------
def test_a_transfer_replayed_with_another_amount_is_409(api, community, volunteer, resident, give):
    from points.models import LedgerTransaction

    give(volunteer, 100)
    me = api(volunteer)
    body = {"community_id": community.pk, "to_user_id": resident.pk, "amount": 10}
    first = me.post("points/transfers", body, HTTP_IDEMPOTENCY_KEY="gift-1")
    assert first.status_code == 201
    again = me.post("points/transfers", body, HTTP_IDEMPOTENCY_KEY="gift-1")  # a true retry
    assert again.status_code == 201 and again.json()["transaction_id"] == first.json()["transaction_id"]
    before = LedgerTransaction.objects.count()
    assert error_of(me.post("points/transfers", {**body, "amount": 40}, HTTP_IDEMPOTENCY_KEY="gift-1")) == (409, "idempotency_key_reused")
    assert LedgerTransaction.objects.count() == before
    assert api(resident).get("points/balance").json()["balance"] == 10


def test_an_award_replayed_for_another_person_is_409(api, community, staff, volunteer, resident, funded):
    client = api(staff)
    url = f"communities/{community.pk}/points/awards"
    body = {"user_id": volunteer.pk, "amount": 20, "reason": "参加议事会"}
    assert client.post(url, body, HTTP_IDEMPOTENCY_KEY="meeting-7").status_code == 201
    replay = client.post(url, {**body, "user_id": resident.pk}, HTTP_IDEMPOTENCY_KEY="meeting-7")
    assert error_of(replay) == (409, "idempotency_key_reused")
    assert api(resident).get("points/balance").json()["balance"] == 0


def test_a_budget_replayed_with_another_amount_is_409(api, community, superuser):
    from points import services

    client = api(superuser)
    url = f"communities/{community.pk}/points/budget"
    assert client.post(url, {"amount": 5000}, HTTP_IDEMPOTENCY_KEY="2026-q4").status_code == 201
    assert client.post(url, {"amount": 5000}, HTTP_IDEMPOTENCY_KEY="2026-q4").status_code == 201
    assert error_of(client.post(url, {"amount": 9000}, HTTP_IDEMPOTENCY_KEY="2026-q4")) == (409, "idempotency_key_reused")
    assert services.pool_account(community).balance == 5000


# --- #18 Private-track (私事) needs never appear in public lists ---------------------------------------
@pytest.fixture
def resolved_pair(community, staff, resident):
    from marketplace.services import need_resolve, need_submit, need_triage

    made = {}
    for track, title, reply in (("private", "家里老人需要请护工", "已介绍给暖洋洋护理站"), ("minor", "楼道灯坏了", "灯已修好")):
        need = need_submit(actor=resident, community=community, title=title)
        need_triage(actor=staff, need=need, track=track, reply="已受理")
        made[track] = need_resolve(actor=staff, need=need, reply=reply)
    return made


def test_a_resolved_private_need_is_not_on_any_public_list(api, community, resolved_pair, volunteer):
    private, minor = resolved_pair["private"], resolved_pair["minor"]
    for client in (browser(), browser(volunteer)):
        for url in ("/feedback/", f"/communities/{community.pk}/feedback/"):
            page = client.get(url).content.decode()
            assert "楼道灯坏了" in page
            assert "家里老人需要请护工" not in page and "暖洋洋护理站" not in page
    for caller in (api(), api(volunteer)):
        for params in ({}, {"community": community.pk}):
            listed = caller.get("needs/resolved", params).json()
            items = listed["items"] if isinstance(listed, dict) else listed
            assert [n["id"] for n in items] == [minor.pk]
        assert caller.get(f"needs/{private.pk}").status_code == 404
        assert caller.get(f"needs/{minor.pk}").status_code == 200
    # It still counts in the anonymous totals.
    board = api().get("needs/board").json()
    assert (board["resolved"], board["private"]) == (2, 1)


def test_the_resident_and_staff_still_see_their_private_need(api, resolved_pair, resident, staff):
    private = resolved_pair["private"]
    assert api(resident).get(f"needs/{private.pk}").json()["reply"] == "已介绍给暖洋洋护理站"
    assert api(staff).get(f"needs/{private.pk}").status_code == 200


# --- #11 Hiding a contract's review ----------------------------------------------------------------------
@pytest.fixture
def contract_review(community, staff, org_admin):
    from accounts.models import Organization
    from orders.models import Bid, Contract, Review

    organization = Organization.objects.get(members__user=org_admin)
    project = Project.objects.create(
        community=community, title="独居老人关爱项目", budget=100_000, bid_deadline=timezone.now() - timedelta(days=30),
        status=Project.Status.COMPLETED, created_by=staff,
    )
    bid = Bid.objects.create(project=project, organization=organization, submitted_by=org_admin, amount=100_000, proposal="方案", status="won")
    contract = Contract.objects.create(project=project, bid=bid, organization=organization, amount=100_000, status="completed")
    return Review.objects.create(contract=contract, organization=organization, author=staff, stars=1, comment="含有辱骂的评价")


def test_staff_of_the_community_hide_a_contract_review(api, contract_review, staff):
    response = api(staff).post(f"reviews/{contract_review.pk}/hide", {"reason": "含有人身攻击"})
    assert response.status_code == 200, response.content
    assert response.json()["hidden"] is True and response.json()["comment"] == ""
    contract_review.refresh_from_db()
    assert (contract_review.hidden, contract_review.hidden_reason, contract_review.hidden_by) == (True, "含有人身攻击", staff)


def test_nobody_else_hides_a_contract_review(api, contract_review, other_staff, org_admin, volunteer):
    for caller in (other_staff, org_admin, volunteer):
        assert error_of(api(caller).post(f"reviews/{contract_review.pk}/hide", {"reason": "x"})) == (403, "permission_denied")
    assert api().post(f"reviews/{contract_review.pk}/hide", {"reason": "x"}).status_code == 401
    assert api(other_staff).post("reviews/987654/hide", {"reason": "x"}).status_code == 404
    contract_review.refresh_from_db()
    assert not contract_review.hidden


def test_the_page_button_hides_a_contract_review_and_returns_to_the_project(contract_review, staff):
    response = browser(staff).post(f"/claims/reviews/{contract_review.pk}/hide/", {"reason": "含有人身攻击"})
    assert response.status_code == 302 and response["Location"] == f"/projects/{contract_review.contract.project_id}/"
    contract_review.refresh_from_db()
    assert contract_review.hidden


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


# --- #17 An unknown websocket path closes cleanly ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/nope/", "/ws/communities/abc/tasks/", "/not-a-socket", "/ws/tasks/extra/"])
def test_an_unknown_websocket_path_is_closed_with_4404_and_logs_no_error(path, caplog):
    from config.asgi import application

    async def scenario():
        socket = WebsocketCommunicator(application, path)
        assert await socket.connect() == (False, 4404)

    with caplog.at_level("WARNING"):
        async_to_sync(scenario)()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], caplog.text


# --- #16 A dashboard's period is bounded ----------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [{"start": "1900-01-01"}, {"start": "2001-01-01", "end": "2012-12-31"}, {"end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-01-02"},
     {"start": "1900-01-01", "format": "csv", "table": "months"}],
)
def test_a_dashboard_refuses_a_period_it_will_not_compute(community, staff, superuser, params, django_assert_max_num_queries):
    client = browser(staff)
    with django_assert_max_num_queries(6):  # refused before any figure is computed
        page = client.get(f"/communities/{community.pk}/dashboard/", params)
    assert page.status_code == 400
    text = page.content.decode()
    assert "仪表盘最多" in text or "请选择" in text
    assert browser(superuser).get("/district/dashboard/", params).status_code == 400


def test_a_five_year_dashboard_still_works(community, staff, superuser):
    today = timezone.localdate()
    start = today.replace(year=today.year - 4, month=1, day=1) if today.month == 12 else today.replace(year=today.year - 4, day=1)
    params = {"start": start.isoformat(), "end": today.isoformat()}
    assert browser(staff).get(f"/communities/{community.pk}/dashboard/", params).status_code == 200
    assert browser(superuser).get("/district/dashboard/", params).status_code == 200

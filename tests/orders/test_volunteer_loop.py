"""The volunteer loop keeps people's work (issues #16 and #17): the note a volunteer writes, the
hours they claim, a check-out that would record nothing, bulk verification, and the beneficiary's
rating after a verified service."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from core.errors import ValidationFailed
from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db


def at(task, minutes: int):
    return time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False)


def checked_out(task, volunteer, staff, *, in_at=-10, out_at=90):
    """Claim, check in at start + in_at minutes and check out at start + out_at minutes."""
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, in_at):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with at(task, out_at):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    claim.refresh_from_db()
    return claim


def submitted(task, volunteer, staff, *, hours=None, note="陪王奶奶聊天，帮她读报", out_at=90):
    claim = checked_out(task, volunteer, staff, out_at=out_at)
    with at(task, out_at + 5):
        services.claim_submit(actor=volunteer, claim=claim, hours=hours, note=note)
    claim.refresh_from_db()
    return claim


# --- 1. The note reaches staff ----------------------------------------------------------------------
def test_the_submitted_note_is_kept_on_the_claim(task, staff, volunteer):
    claim = submitted(task, volunteer, staff, note="陪王奶奶聊天，帮她读报")
    assert claim.note == "陪王奶奶聊天，帮她读报"
    assert claim.history.get(to_status="submitted").note == "陪王奶奶聊天，帮她读报"


def test_the_submit_endpoint_answers_with_the_note_and_staff_read_it(api, task, staff, volunteer):
    claim = checked_out(task, volunteer, staff)
    with at(task, 95):
        answer = api(volunteer).post(f"claims/{claim.pk}/submit", {"note": "老人腿脚不便，下次需两人"})
    assert answer.status_code == 200 and answer.json()["note"] == "老人腿脚不便，下次需两人"
    assert api(staff).get(f"claims/{claim.pk}").json()["note"] == "老人腿脚不便，下次需两人"


def test_staff_see_the_note_where_they_verify(task, staff, volunteer):
    claim = checked_out(task, volunteer, staff)
    with at(task, 95):
        browser(volunteer).post(f"/claims/{claim.pk}/submit/", {"hours": "1.5", "note": "老人腿脚不便，下次需两人"})
    assert "老人腿脚不便，下次需两人" in browser(staff).get("/claims/queue/").content.decode()
    assert "老人腿脚不便，下次需两人" in browser(staff).get(f"/tasks/{task.pk}/").content.decode()


# --- 2. The hours the volunteer claimed are the hours recorded ---------------------------------------
def test_verifying_without_hours_records_the_claimed_hours(task, funded, staff, volunteer):
    claim = submitted(task, volunteer, staff, hours="1.5", out_at=30)  # measured: 0.50 h
    verified = services.claim_verify(actor=staff, claim=claim)
    assert (verified.hours, verified.credited_hours, verified.submitted_hours) == (Decimal("1.50"), Decimal("0.50"), Decimal("1.50"))


def test_verifying_a_claim_with_no_claimed_hours_records_the_measured_ones(task, funded, staff, volunteer):
    claim = submitted(task, volunteer, staff, out_at=45)
    Claim.objects.filter(pk=claim.pk).update(submitted_hours=None)  # as claims submitted long ago
    claim.refresh_from_db()
    assert services.claim_verify(actor=staff, claim=claim).hours == Decimal("0.75")


def test_staff_may_record_other_hours_but_not_more_than_the_task_lasts(task, funded, staff, volunteer):
    claim = submitted(task, volunteer, staff, hours="1.5")
    with pytest.raises(ValidationFailed) as exc:
        services.claim_verify(actor=staff, claim=claim, hours="2.5")
    assert exc.value.code == "too_many_hours"
    claim.refresh_from_db()
    assert claim.status == "submitted" and claim.hours is None
    assert services.claim_verify(actor=staff, claim=claim, hours="1").hours == Decimal("1.00")


def test_the_api_shows_claimed_measured_and_recorded_hours_and_lists_the_submitted(api, task, funded, staff, volunteer, make_task):
    claim = submitted(task, volunteer, staff, hours="1.5", out_at=30)
    other = make_task(starts_at=task.starts_at + timedelta(days=2))
    services.claim_create(actor=volunteer, task=other)
    listed = api(staff).get("claims", {"status": "submitted"}).json()["items"]
    assert [(c["id"], c["note"], c["hours_claimed"], c["hours_credited"], c["hours"]) for c in listed] == [
        (claim.pk, "陪王奶奶聊天，帮她读报", "1.50", "0.50", None)
    ]
    verified = api(staff).post(f"claims/{claim.pk}/verify")
    assert verified.status_code == 200 and verified.json()["hours"] == "1.50"
    assert api(volunteer).get(f"volunteers/{volunteer.pk}/record").json()["hours"] == "1.50"


def test_the_verify_form_is_filled_with_the_claimed_hours_and_says_so(task, funded, staff, volunteer):
    claim = submitted(task, volunteer, staff, hours="1.5", out_at=30)
    for url in ("/claims/queue/", f"/tasks/{task.pk}/"):
        page = browser(staff, language="en").get(url).content.decode()
        assert f'id="hours-{claim.pk}" name="hours" type="number" step="0.01" min="0" max="2.00" value="1.50"' in page
        assert "Filled in with the 1.50 h the volunteer claimed (measured between check-in and check-out: 0.50 h)" in page
    browser(staff).post(f"/claims/{claim.pk}/verify/", {"hours": "1.50", "next": "/claims/queue/"})
    record = browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert 'data-label="记录时长">1.50</td>' in record  # #16: cells carry their column name for phones
    csv = b"".join(browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert ",1.50," in csv


def test_the_migration_records_the_hours_of_claims_verified_before_it(task, funded, staff, volunteer):
    from importlib import import_module

    from django.apps import apps

    claim = submitted(task, volunteer, staff, hours="1.5", out_at=30)
    services.claim_verify(actor=staff, claim=claim)
    Claim.objects.filter(pk=claim.pk).update(hours=None)  # as it was before the field existed
    import_module("orders.migrations.0005_claim_hours_recorded").record_hours_of_verified_claims(apps, None)
    claim.refresh_from_db()
    assert (claim.hours, claim.credited_hours, claim.note) == (Decimal("1.50"), Decimal("0.50"), "陪王奶奶聊天，帮她读报")


# --- 6. Bulk verification ----------------------------------------------------------------------------
@pytest.fixture
def three_submitted(make_task, funded, staff, community):
    """Three volunteers' submitted claims on one task with 3 slots: 1.5 h claimed, 1.00 h measured."""
    from tests.factories import MembershipFactory

    task = make_task(slots=3)
    people = [MembershipFactory(community=community, role="volunteer", user__display_name=f"志愿者{i}").user for i in range(3)]
    claims = [services.claim_create(actor=person, task=task) for person in people]
    for i, (person, claim) in enumerate(zip(people, claims)):
        with at(task, 0):
            services.claim_check_in(actor=person, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        with at(task, 60):
            services.claim_check_out(actor=person, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
            services.claim_submit(actor=person, claim=claim, hours="1.5", note=f"备注{i}")
    return claims


def test_bulk_verification_verifies_and_pays_each_claim_once_whatever_the_retries(api, three_submitted, staff):
    from points.models import LedgerTransaction
    from points.selectors import person_balance

    ids = [c.pk for c in three_submitted]
    for _ in range(2):
        answer = api(staff).post("claims/verify", {"claim_ids": ids + ids[:1]})
        assert answer.status_code == 200 and answer.json() == {"verified": ids, "skipped": []}
    assert LedgerTransaction.objects.filter(kind="award").count() == 3
    for claim in three_submitted:
        claim.refresh_from_db()
        assert (claim.status, claim.hours, claim.points_awarded, person_balance(claim.user)) == ("verified", Decimal("1.50"), 10, 10)


def test_bulk_verification_skips_what_it_may_not_verify_and_verifies_the_rest(api, three_submitted, staff, other_staff, make_task, volunteer):
    mine = services.claim_create(actor=volunteer, task=make_task(starts_at=three_submitted[0].task.starts_at + timedelta(days=3)))
    ids = [c.pk for c in three_submitted]
    answer = api(staff).post("claims/verify", {"claim_ids": [ids[0], mine.pk, 999_999], "hours": "1"})
    assert answer.json() == {
        "verified": [ids[0]],
        "skipped": [{"id": mine.pk, "code": "invalid_transition"}, {"id": 999_999, "code": "claim_not_found"}],
    }
    assert Claim.objects.get(pk=ids[0]).hours == Decimal("1.00")
    # Staff of another community learn nothing about these claims, and change nothing.
    stranger = api(other_staff).post("claims/verify", {"claim_ids": ids[1:]})
    assert stranger.json() == {"verified": [], "skipped": [{"id": i, "code": "claim_not_found"} for i in ids[1:]]}
    assert error_of(api(staff).post("claims/verify", {"claim_ids": ids, "hours": "-1"})) == (400, "invalid_hours")
    assert api(staff).post("claims/verify", {"claim_ids": []}).status_code == 422
    assert list(Claim.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == ["submitted", "submitted"]


def test_the_queue_shows_note_and_both_hours_and_approves_the_selected(three_submitted, staff):
    client = browser(staff)
    page = client.get("/claims/queue/").content.decode()
    for i, claim in enumerate(three_submitted):
        assert f"志愿者{i}" in page and f"备注{i}" in page
        assert f'name="claim" value="{claim.pk}" form="bulk-verify"' in page
    assert "<td>1.50</td>" in page and "<td>1.00</td>" in page and 'data-select-all="claim"' in page
    chosen = [three_submitted[0].pk, three_submitted[2].pk]
    response = client.post("/claims/queue/verify/", {"claim": chosen}, follow=True)
    assert "2 条接单已审核通过" in response.content.decode()
    assert sorted(Claim.objects.filter(status="verified").values_list("pk", flat=True)) == chosen
    assert Claim.objects.get(pk=three_submitted[1].pk).status == "submitted"
    page = client.get("/claims/queue/").content.decode()
    assert "备注1" in page and "备注0" not in page


def test_the_queue_explains_an_empty_selection_and_a_skipped_claim(three_submitted, staff):
    response = browser(staff, language="en").post("/claims/queue/verify/", {}, follow=True)
    assert "Select at least one claim." in response.content.decode()
    services.claim_reject(actor=staff, claim=three_submitted[0], reason="未到场")
    response = browser(staff, language="en").post("/claims/queue/verify/", {"claim": [three_submitted[0].pk]}, follow=True)
    assert f"Claim #{three_submitted[0].pk} was not verified" in response.content.decode()
    assert Claim.objects.get(pk=three_submitted[0].pk).status == "rejected"


# --- 3. Checking out before the start ----------------------------------------------------------------
def test_checking_out_before_the_start_is_refused_and_records_nothing(api, task, staff, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -20):
        code = task_checkin_code(actor=staff, task=task)[0]
        services.claim_check_in(actor=volunteer, claim=claim, code=code)
        answer = api(volunteer, language="en").post(f"claims/{claim.pk}/check-out", {"code": code})
    assert error_of(answer) == (409, "before_start")
    assert "would record 0 hours" in answer.json()["detail"]
    claim.refresh_from_db()
    assert (claim.status, claim.checked_out_at, claim.credited_hours) == ("checked_in", None, Decimal("0"))
    with at(task, 45):  # after the start it works as before
        code = task_checkin_code(actor=staff, task=task)[0]
        assert api(volunteer).post(f"claims/{claim.pk}/check-out", {"code": code}).json()["credited_hours"] == "0.75"


def test_the_task_page_says_why_an_early_check_out_was_refused(task, staff, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -20):
        code = task_checkin_code(actor=staff, task=task)[0]
        services.claim_check_in(actor=volunteer, claim=claim, code=code)
        response = browser(volunteer).post(f"/claims/{claim.pk}/check-out/", {"code": code}, follow=True)
    assert "任务尚未开始：现在签退将记录 0 小时" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).checked_out_at is None


# --- 4. A refused bid form keeps what was typed and the attachment ----------------------------------
@pytest.fixture
def open_project(community, staff):
    from accounts.models import OrganizationMember
    from marketplace.services import project_create
    from tests.factories import OrganizationFactory, UserFactory

    org = OrganizationFactory(status="verified", community=community, name="重庆暖洋洋社会工作服务中心")
    admin = UserFactory(username="nuanyangyang")
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    from django.utils import timezone

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=7))
    return project, org, admin


PDF = b"%PDF-1.4 \xe6\x96\xb9\xe6\xa1\x88 test"


def test_a_bid_over_budget_comes_back_filled_in_with_the_maximum_beside_the_amount(open_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders.models import Bid

    project, org, admin = open_project
    client = browser(admin)
    form = {"organization": org.pk, "amount_yuan": "12000", "proposal": "入户探访，每周两次", "team": "社工 3 名", "timeline": "三个月"}
    response = client.post(f"/projects/{project.pk}/bid/", {**form, "attachment": SimpleUploadedFile("方案.pdf", PDF, "application/pdf")})
    page = response.content.decode()
    assert response.status_code == 400 and not Bid.objects.exists()
    assert "投标金额不能超过项目预算 ¥10,000.00。" in page
    assert page.rindex("投标金额不能超过项目预算") > page.index('id="bid-amount"')  # beside the amount (and in the summary at the top)
    assert 'value="12000"' in page and ">入户探访，每周两次</textarea>" in page and ">社工 3 名</textarea>" in page and ">三个月</textarea>" in page
    assert f'<option value="{org.pk}" selected>' in page
    assert "已保留：方案.pdf" in page
    token = page.split('name="attachment_token" value="')[1].split('"')[0]
    # Corrected, without choosing the file again: the kept PDF goes with the bid.
    response = client.post(f"/projects/{project.pk}/bid/", {**form, "amount_yuan": "9000", "attachment_token": token, "attachment_name": "方案.pdf"})
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert bid.amount == 900_000 and bid.attachment.name.endswith(".pdf") and bid.attachment.read() == PDF


def test_a_kept_attachment_is_only_its_uploaders(open_project, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders.services import bid_attachment_keep, bid_attachment_kept

    project, org, admin = open_project
    token = bid_attachment_keep(actor=admin, upload=SimpleUploadedFile("方案.pdf", PDF))
    assert bid_attachment_kept(actor=admin, token=token).read() == PDF
    assert bid_attachment_kept(actor=staff, token=token) is None
    assert bid_attachment_kept(actor=admin, token="../../etc/passwd") is None


# --- #36.4: a refused bid form keeps only a real attachment, of someone who may bid, briefly ----


@pytest.fixture
def fresh_storage(settings):
    """A storage of this test's own: the in-memory one is shared by the whole run."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def _kept_files(user):
    from django.core.files.storage import default_storage

    try:
        return default_storage.listdir(f"bid-drafts/{user.pk}")[1]
    except FileNotFoundError:
        return []


def _refused_bid(user, project, upload):
    """The bid page with an amount it refuses: the form comes back, keeping what it keeps."""
    return browser(user).post(f"/projects/{project.pk}/bid/", {"organization": "", "amount_yuan": "abc", "proposal": "方案", "attachment": upload})


def test_a_refused_bid_form_keeps_no_file_that_is_not_a_pdf_png_or_jpeg(open_project, fresh_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, org, admin = open_project
    answer = _refused_bid(admin, project, SimpleUploadedFile("run.exe", b"MZ\x90\x00 not a document"))
    assert answer.status_code == 400
    assert _kept_files(admin) == []
    answer = _refused_bid(admin, project, SimpleUploadedFile("方案.pdf", PDF))
    assert answer.status_code == 400 and len(_kept_files(admin)) == 1


def test_a_refused_bid_form_keeps_nothing_for_someone_who_may_not_bid(open_project, fresh_storage, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, _org, _admin = open_project
    for _ in range(3):
        _refused_bid(resident, project, SimpleUploadedFile("方案.pdf", PDF))
    assert _kept_files(resident) == []


def test_a_person_keeps_at_most_three_drafts(open_project, fresh_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, _org, admin = open_project
    for _ in range(6):
        assert _refused_bid(admin, project, SimpleUploadedFile("方案.pdf", PDF)).status_code == 400
    assert len(_kept_files(admin)) == 3


def test_kept_drafts_are_purged_after_a_day_by_the_periodic_job(open_project, fresh_storage):
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile
    from huey.api import PeriodicTask

    from orders import tasks
    from orders.services import bid_attachment_keep, bid_attachment_kept, bid_drafts_purge

    _project, _org, admin = open_project
    token = bid_attachment_keep(actor=admin, upload=SimpleUploadedFile("方案.pdf", PDF))
    assert bid_drafts_purge() == 0 and bid_attachment_kept(actor=admin, token=token) is not None
    assert bid_drafts_purge(now=time.time() + 25 * 3600) == 1
    assert _kept_files(admin) == [] and bid_attachment_kept(actor=admin, token=token) is None
    assert isinstance(tasks.purge_bid_drafts.task_class(), PeriodicTask)


def test_the_api_names_the_budget_when_a_bid_is_too_high(api, open_project):
    project, org, admin = open_project
    answer = api(admin, language="en").post(f"projects/{project.pk}/bids", {"organization_id": org.pk, "amount": 1_000_001, "proposal": "方案"})
    assert error_of(answer) == (400, "amount_above_budget")
    assert "¥10,000.00" in answer.json()["detail"]


# --- 5. The beneficiary is told and rates in two taps -------------------------------------------------
def test_the_beneficiary_is_told_when_her_service_is_verified_with_a_link_to_rate_it(make_task, funded, staff, volunteer, resident, django_capture_on_commit_callbacks):
    from accounts.models import Notification

    task = make_task(beneficiary=resident)
    claim = submitted(task, volunteer, staff, hours="1.5")
    with at(task, 100):
        services.claim_confirm(actor=resident, claim=claim)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_verify(actor=staff, claim=claim)
    told = Notification.objects.get(user=resident, kind="service_to_rate")
    assert told.kind == "service_to_rate" and told.url == f"/claims/{claim.pk}/rate/" and "陪伴独居老人" in told.message
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_verify(actor=staff, claim=claim)  # a retry tells nobody again
    assert Notification.objects.filter(user=resident, kind="service_to_rate").count() == 1


def test_the_rating_page_picks_stars_on_a_tap_and_sends_them_with_one_button(make_task, funded, staff, volunteer, resident):
    from orders.models import Review

    task = make_task(beneficiary=resident)
    claim = submitted(task, volunteer, staff)
    with at(task, 100):
        services.claim_confirm(actor=resident, claim=claim)
    claim = services.claim_verify(actor=staff, claim=claim)
    phone = browser(resident)
    page = phone.get(f"/claims/{claim.pk}/rate/").content.decode()
    # #28: a tap on a star picks it (a radio), never sends; each choice shows its own filled stars.
    assert 'type="submit" name="stars"' not in page
    assert page.count('type="radio" name="stars"') == 5 and page.count('class="button rate-send"') == 1
    assert '<span class="on">★</span><span class="off">☆☆☆☆</span>' in page and '<span class="on">★★★★★</span><span class="off"></span>' in page
    assert "1 星 · 很差" in page and "5 星 · 非常满意" in page
    response = phone.post(f"/claims/{claim.pk}/rate/", {"stars": "4", "comment": ""}, follow=True)
    review = Review.objects.get()
    assert (review.stars, review.author, review.entered_by) == (4, resident, None)
    assert "4★" in response.content.decode() and 'name="stars"' not in response.content.decode()
    assert browser(volunteer).get(f"/claims/{claim.pk}/rate/").status_code == 403
    assert browser(volunteer).post(f"/claims/{claim.pk}/rate/", {"stars": "5"}).status_code == 403
    assert Review.objects.count() == 1

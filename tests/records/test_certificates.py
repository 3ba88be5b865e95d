"""Volunteer numbers, the record by the national rules, star levels, and certificates of volunteer
service (志愿服务记录证明) with their public verification (issue #20). Run on SQLite and, in the
second CI pass, on PostgreSQL."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from pypdf import PdfReader

from accounts.models import VolunteerNumber
from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim
from records.lines import star_level
from records.models import Certificate
from tests.conftest import browser, error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def served(task, volunteer, staff, *, hours: str) -> Claim:
    """A service as it really happens: claim, check in, check out, submit ``hours``, verified by staff."""
    claim = services.claim_create(actor=volunteer, task=task)
    code = lambda: task_checkin_code(actor=staff, task=task)[0]  # noqa: E731
    with time_machine.travel(task.starts_at - timedelta(minutes=5), tick=False):
        services.claim_check_in(actor=volunteer, claim=claim, code=code())
    with time_machine.travel(task.starts_at + timedelta(minutes=100), tick=False):
        services.claim_check_out(actor=volunteer, claim=claim, code=code())
        services.claim_submit(actor=volunteer, claim=claim, hours=hours, note="")
        if task.beneficiary_id:  # the person served confirms first (two-party confirmation, #22)
            services.claim_confirm(actor=task.beneficiary, claim=claim)
        services.claim_verify(actor=staff, claim=claim)
    claim.refresh_from_db()
    return claim


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert 1 <= len(reader.pages) <= 2
    return "\n".join(page.extract_text() for page in reader.pages)


def code_in(text: str) -> str:
    return re.search(r"([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", text).group(1)


@pytest.fixture
def two_services(make_task, funded, staff, volunteer):
    volunteer.display_name = "张三明"
    volunteer.save()
    first = served(make_task(title="陪伴独居老人"), volunteer, staff, hours="1.5")
    second = served(make_task(title="社区图书角整理", category="culture", starts_at=first.task.starts_at + timedelta(days=2)), volunteer, staff, hours="1.25")
    return first, second


# --- Volunteer number ------------------------------------------------------------------------------
def test_the_first_claim_gives_a_volunteer_number_that_never_changes(api, make_task, volunteer, staff):
    assert api(volunteer).get("me").json()["volunteer_no"] is None
    services.claim_create(actor=volunteer, task=make_task())
    number = api(volunteer).get("me").json()["volunteer_no"]
    assert re.fullmatch(r"JB\d{8}", number)
    services.claim_create(actor=volunteer, task=make_task(starts_at=make_task().starts_at + timedelta(days=3)))
    assert api(volunteer).get("me").json()["volunteer_no"] == number
    other = MembershipFactory(community=staff.memberships.first().community, role="volunteer").user
    services.claim_create(actor=other, task=make_task(title="另一个"))
    assert api(other).get("me").json()["volunteer_no"] not in (None, number)


def test_the_migration_numbers_everyone_who_already_claimed_in_order_of_their_first_claim(make_task, volunteer, community):
    later = MembershipFactory(community=community, role="volunteer").user
    services.claim_create(actor=volunteer, task=make_task())
    services.claim_create(actor=later, task=make_task(title="第二个"))
    VolunteerNumber.objects.all().delete()  # as before the numbers existed
    import_module("orders.migrations.0007_backfill_volunteer_numbers").backfill(apps, None)
    first, second = VolunteerNumber.objects.get(user=volunteer), VolunteerNumber.objects.get(user=later)
    assert first.number.startswith("JB") and first.pk < second.pk


def test_the_profile_shows_the_number_and_the_star_level(two_services, volunteer):
    page = browser(volunteer).get("/accounts/profile/").content.decode()
    number = VolunteerNumber.objects.get(user=volunteer).number
    assert number in page and 'data-star-level="0"' in page and "2.75" in page


# --- Star levels -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "hours, level",
    [("0", 0), ("99.99", 0), ("100", 1), ("299.99", 1), ("300", 2), ("600", 3), ("999.99", 3), ("1000", 4), ("1499.99", 4), ("1500", 5), ("9000", 5)],
)
def test_star_levels_by_cumulative_recorded_hours(hours, level):
    assert star_level(Decimal(hours)) == level


def test_the_record_shows_the_star_level_reached_at_100_hours(two_services, volunteer, api):
    Claim.objects.filter(pk=two_services[0].pk).update(hours="98.75")  # 98.75 + 1.25 = 100 h
    body = api(volunteer).get(f"volunteers/{volunteer.pk}/record").json()
    assert (body["hours"], body["star_level"], body["hours_to_next_star"]) == ("100.00", 1, "200.00")
    assert 'data-star-level="1"' in browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()


# --- The record ------------------------------------------------------------------------------------
def test_the_record_has_the_national_fields_and_no_beneficiarys_name(make_task, funded, staff, volunteer, resident, api):
    task = make_task(beneficiary=resident, location="锣旗寺社区 5 栋 2 单元")
    served(task, volunteer, staff, hours="1.5")
    body = api(volunteer).get(f"volunteers/{volunteer.pk}/record").json()
    line = body["lines"][0]
    assert (line["place"], line["organiser"], line["category"], line["beneficiary_type"]) == ("锣旗寺社区 5 栋 2 单元", "锣旗寺社区", "elder_care", "individual")
    assert body["years"] == [{"year": task.starts_at.year, "services": 1, "hours": "1.50", "honour_hours": "0.00"}]
    page = browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert "个人（居民）" in page and resident.shown_name not in page
    assert "本平台不记录培训和表彰" in page


# --- Certificates ----------------------------------------------------------------------------------
def test_a_certificate_states_the_hours_of_the_record_and_verifies_publicly(two_services, volunteer, api):
    record = api(volunteer).get(f"volunteers/{volunteer.pk}/record").json()
    response = api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")
    assert response.status_code == 200
    text = pdf_text(response)
    assert "志愿服务记录证明" in text and "锣旗寺社区" in text and "张三明" in text
    assert record["hours"] == "2.75" and "2.75" in text and "1.50" in text and "1.25" in text
    number = VolunteerNumber.objects.get(user=volunteer).number
    assert number in text
    code = code_in(text)
    # Anyone verifies it by its code: the API and the page, the name partly masked.
    public = api().get(f"certificates/{code}")
    assert public.status_code == 200
    body = public.json()
    assert (body["volunteer"], body["volunteer_no"], body["hours"], body["services"]) == ("张*明", number, "2.75", 2)
    assert "锣旗寺社区" in body["issuer"]
    page = browser().get(f"/certificates/{code}/")
    assert page.status_code == 200 and "张*明" in page.content.decode() and "张三明" not in page.content.decode()
    assert "2.75" in page.content.decode()


def test_verification_answers_for_what_was_certified_even_after_the_record_changes(two_services, volunteer, api):
    code = code_in(pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")))
    Claim.objects.filter(pk=two_services[0].pk).update(hours="0.50")
    assert api().get(f"certificates/{code}").json()["hours"] == "2.75"
    newer = code_in(pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")))
    assert newer != code and api().get(f"certificates/{newer}").json()["hours"] == "1.75"


def test_asking_twice_the_same_day_gives_the_same_certificate(two_services, volunteer, api):
    first = code_in(pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")))
    again = code_in(pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")))
    assert first == again and Certificate.objects.count() == 1


def test_a_certificate_in_english_for_an_english_reader(two_services, volunteer, api):
    text = pdf_text(api(volunteer, language="en").get(f"volunteers/{volunteer.pk}/certificate"))
    assert "Certificate of volunteer service" in text and "2.75" in text


def test_a_forged_or_unknown_code_is_404_and_tells_nothing(two_services, volunteer, api):
    code = code_in(pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")))
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for bad in (forged, "AAAA-AAAA-AAAA-AAAA", "x" * 200, "张三明"):
        response = api().get(f"certificates/{bad}")
        assert error_of(response) == (404, "certificate_not_found")
        assert "张" not in response.json()["detail"]
        assert browser().get(f"/certificates/{bad}/").status_code == 404


def test_no_verified_service_is_a_clear_refusal_never_an_empty_pdf(make_task, volunteer, api):
    services.claim_create(actor=volunteer, task=make_task())  # claimed, never verified
    response = api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")
    assert error_of(response) == (409, "no_verified_service")
    page = browser(volunteer).get(f"/volunteers/{volunteer.pk}/certificate/")
    assert page.status_code == 409 and "还没有可以证明的已核实服务" in page.content.decode()
    assert Certificate.objects.count() == 0
    assert "还没有可以证明的已核实服务" in browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()


def test_the_record_page_downloads_the_certificate_of_the_community_that_recorded_it(two_services, volunteer, community):
    page = browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    link = f"/volunteers/{volunteer.pk}/certificate/?community={community.pk}"
    assert link in page
    text = pdf_text(browser(volunteer).get(link))
    assert "2.75" in text and "锣旗寺社区" in text


def test_who_records_certifies_one_certificate_per_community(two_services, volunteer, other_community, other_staff, funded, make_task, api):
    MembershipFactory(community=other_community, role="volunteer", user=volunteer)
    there = make_task(community=other_community, actor=other_staff, title="东原巡河", starts_at=two_services[1].task.starts_at + timedelta(days=2), points=0)
    served(there, volunteer, other_staff, hours="1")
    text = pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate"))
    assert "东原社区" in text and "锣旗寺社区" in text and Certificate.objects.count() == 2
    # Staff certify only what their own community recorded.
    mine = pdf_text(api(other_staff).get(f"volunteers/{volunteer.pk}/certificate"))
    assert "东原巡河" in mine and "陪伴独居老人" not in mine
    assert error_of(api(other_staff).get(f"volunteers/{volunteer.pk}/certificate", {"community": two_services[0].task.community_id})) == (403, "not_community_staff")


def test_strangers_get_404_for_someone_elses_certificate(two_services, volunteer, resident, outsider, api):
    for person in (resident, outsider):
        assert error_of(api(person).get(f"volunteers/{volunteer.pk}/certificate")) == (404, "user_not_found")
        assert browser(person).get(f"/volunteers/{volunteer.pk}/certificate/").status_code == 404
    assert api().get(f"volunteers/{volunteer.pk}/certificate").status_code == 401
    assert Certificate.objects.count() == 0


def test_a_long_record_still_fits_two_pages_and_the_totals_count_every_service(make_task, volunteer, api):
    first = make_task()
    for i in range(50):
        task = make_task(title=f"社区巡逻第{i + 1}次", starts_at=first.starts_at + timedelta(days=i + 1))
        claim = services.claim_create(actor=volunteer, task=task)
        Claim.objects.filter(pk=claim.pk).update(status="verified", hours="2.00")
    text = pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate"))  # asserts 1-2 pages
    assert "100.00" in text and "社区巡逻第50次" in text and "另有 5 次较早的服务" in text


# --- #28: the certificate's last lines, and a wrong code's page ----------------------------------------
def test_the_certificate_ends_with_the_address_below_its_note_and_a_place_for_the_seal(two_services, volunteer, api):
    text = pdf_text(api(volunteer).get(f"volunteers/{volunteer.pk}/certificate"))
    code = code_in(text)
    flat = text.replace("\n", "")
    note, address = flat.index("下方网址"), flat.index(f"/certificates/{code.replace('-', '')}/")
    assert note < address  # "可通过下方网址…验证" and the address is indeed below
    assert "·" not in text and "–" not in text  # STSong-Light has neither: they printed as a box
    assert "盖章处" in flat and "出具单位（盖章）：江北区郭家沱街道锣旗寺社区" in flat.replace(" ", "")


def test_a_wrong_code_shows_that_this_certificate_does_not_exist(two_services):
    for language, words in (("zh-hans", "这张证明不存在"), ("en", "This certificate does not exist")):
        response = browser(language=language).get("/certificates/AAAA-AAAA-AAAA-AAAA/")
        html = response.content.decode()
        assert response.status_code == 404 and words in html and "AAAA-AAAA-AAAA-AAAA" in html

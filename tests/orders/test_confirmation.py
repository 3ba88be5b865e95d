"""Services that really happened (#22): the person served confirms before staff verify (with their
service card's code, on their own phone, through a guardian, or staff on their behalf with a
consent note); guardians act for them and no more; staff register and act for residents without a
phone, marked as such wherever it is shown."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone, translation

from accounts.assistance.services import service_card_get, service_card_renew
from accounts.models import Guardian, Membership, Notification
from marketplace.models import Need, Task
from orders import services
from orders.models import Claim, Review
from tests.conftest import browser, error_of
from tests.factories import MembershipFactory, UserFactory
from tests.orders.test_volunteer_loop import at, checked_out, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_attempt_counts():
    cache.clear()  # the wrong-code counts of claims with the same id in another test


@pytest.fixture
def elder(community):
    return MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__display_name="张三明").user


@pytest.fixture
def daughter(community):
    return UserFactory(username="wangfang", display_name="王芳", phone="13900001111")


def took_place(claim: Claim) -> Claim:
    """The service's task moved three days back: it has started, so the person served may answer."""
    Task.objects.filter(pk=claim.task_id).update(starts_at=F("starts_at") - timedelta(days=3), ends_at=F("ends_at") - timedelta(days=3))
    claim.task.refresh_from_db()
    return claim


@pytest.fixture
def service(make_task, funded, staff, volunteer, elder):
    """A service for the elder, submitted by the volunteer and not yet confirmed."""
    return took_place(submitted(make_task(beneficiary=elder), volunteer, staff))


def test_a_service_for_someone_cannot_be_verified_before_they_confirm_it(api, service, staff):
    assert error_of(api(staff).post(f"claims/{service.pk}/verify")) == (409, "awaiting_confirmation")
    bulk = api(staff).post("claims/verify", {"claim_ids": [service.pk]}).json()
    assert bulk == {"verified": [], "skipped": [{"id": service.pk, "code": "awaiting_confirmation"}]}
    service.refresh_from_db()
    assert (service.status, service.points_awarded) == ("submitted", 0)
    page = browser(staff, language="en").get("/claims/queue/").content.decode()
    assert "Not confirmed yet" in page and f'action="/claims/{service.pk}/verify/"' not in page


def test_the_volunteer_types_the_card_code_at_check_out_and_it_is_recorded(api, make_task, funded, staff, volunteer, elder):
    task = make_task(beneficiary=elder)
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -10):
        services.claim_check_in(actor=volunteer, claim=claim, code=services_code(staff, task))
    card = service_card_get(actor=elder).shown_code
    with at(task, 90):
        body = {"code": services_code(staff, task), "beneficiary_code": card.lower().replace("-", " ")}
        answer = api(volunteer).post(f"claims/{claim.pk}/check-out", body).json()
    assert (answer["confirmation_method"], answer["awaiting_confirmation"]) == ("code", False)
    claim.refresh_from_db()
    # Her card, her confirmation: credited to the person served; the history keeps who typed it.
    assert claim.confirmed_by == elder and claim.history.get(note="confirmed (code)").actor == volunteer
    assert "由张三明确认" in browser(staff).get(f"/tasks/{task.pk}/").content.decode()


def services_code(staff, task):
    from marketplace.services import task_checkin_code

    return task_checkin_code(actor=staff, task=task)[0]


def test_a_wrong_old_or_other_card_code_is_400_and_five_of_them_lock_the_claim(api, service, volunteer, elder, community):
    old = service_card_get(actor=elder).shown_code
    service_card_renew(actor=elder)
    neighbour = MembershipFactory(community=community, role=Membership.Role.RESIDENT).user
    for code in (old, service_card_get(actor=neighbour).shown_code, "ABCD-EFGH", "x", ""):
        answer = api(volunteer).post(f"claims/{service.pk}/confirm", {"beneficiary_code": code})
        assert error_of(answer)[0] == 400
    assert error_of(api(volunteer).post(f"claims/{service.pk}/confirm", {"beneficiary_code": old})) == (400, "invalid_code")
    right = service_card_get(actor=elder).shown_code
    assert error_of(api(volunteer).post(f"claims/{service.pk}/confirm", {"beneficiary_code": right})) == (429, "too_many_attempts")
    assert Claim.objects.get(pk=service.pk).confirmed_at is None


def test_the_beneficiary_confirms_from_the_notification_and_a_second_confirmation_says_so(
    api, make_task, funded, staff, volunteer, elder, daughter, django_capture_on_commit_callbacks
):
    Guardian.objects.create(resident=elder, guardian=daughter, accepted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        service = took_place(submitted(make_task(beneficiary=elder), volunteer, staff))
    to_confirm = Notification.objects.get(user=daughter, kind="service_to_confirm")
    assert to_confirm.message.endswith("为张*明完成了吗？点此代为确认。")
    with translation.override("en"):  # stored as a code and its parameters, so English readers read English
        assert to_confirm.text.endswith("happen for 张*明? Tap to confirm it for them.")
    told = Notification.objects.get(user=elder, kind="service_to_confirm")
    assert told.url == f"/claims/{service.pk}/confirm/"
    # Both find it on their home page too, waiting for them; the daughter's names her mother.
    assert f'href="/claims/{service.pk}/confirm/"' in browser(elder).get("/").content.decode()
    assert "为张*明确认服务" in browser(daughter).get("/").content.decode()
    page = browser(elder).get(told.url).content.decode()
    assert "是的，服务已完成" in page
    browser(elder).post(told.url)
    service.refresh_from_db()
    assert (service.confirmation_method, service.confirmed_by) == ("self", elder)
    again = api(elder).post(f"claims/{service.pk}/confirm").json()
    assert again["already_confirmed"] is True and again["confirmation_method"] == "self"
    assert service.history.filter(note__startswith="confirmed").count() == 1


def test_staff_confirm_on_behalf_only_with_a_consent_note(api, service, staff, other_staff):
    assert error_of(api(staff).post(f"claims/{service.pk}/confirm")) == (400, "required")
    assert error_of(api(other_staff).post(f"claims/{service.pk}/confirm", {"consent_note": "电话"})) == (404, "claim_not_found")
    answer = api(staff).post(f"claims/{service.pk}/confirm", {"consent_note": "15:20 电话确认"}).json()
    assert answer["confirmation_method"] == "staff" and answer["already_confirmed"] is False
    service.refresh_from_db()
    assert service.consent_note == "15:20 电话确认"
    assert service.history.get(note__startswith="confirmed").note == "confirmed (staff): 15:20 电话确认"
    assert api(staff).post(f"claims/{service.pk}/verify").json()["status"] == "verified"


def test_a_guardian_confirms_and_rates_exactly_what_was_granted(api, service, staff, elder, daughter, volunteer, django_capture_on_commit_callbacks):
    # Not named yet: the claim does not exist for her.
    assert error_of(api(daughter).post(f"claims/{service.pk}/confirm")) == (404, "claim_not_found")
    named = api(elder).post("me/guardians", {"who": daughter.phone})
    assert named.status_code == 201 and named.json()["accepted"] is False
    assert error_of(api(elder).post("me/guardians", {"who": daughter.phone})) == (409, "already_guardian")
    # Named is not yet granted: until she says yes she can neither see nor confirm the service.
    assert error_of(api(daughter).post(f"claims/{service.pk}/confirm")) == (404, "claim_not_found")
    assert api(daughter).get("me/guardian-requests").json()["items"] == [{"user_id": elder.pk, "display_name": "张*明"}]
    assert api(daughter).post(f"me/guardian-requests/{elder.pk}/accept").status_code == 200
    assert api(daughter).get("me/wards").json()["items"] == [{"user_id": elder.pk, "display_name": "张*明"}]
    assert api(daughter).post(f"claims/{service.pk}/confirm").json()["confirmation_method"] == "guardian"
    # Confirming and rating, nothing more: she cannot verify, nor act as staff.
    assert error_of(api(daughter).post(f"claims/{service.pk}/verify")) == (403, "permission_denied")
    with django_capture_on_commit_callbacks(execute=True):
        api(staff).post(f"claims/{service.pk}/verify")
    assert "为张*明评价服务" in browser(daughter).get("/").content.decode()
    to_rate = Notification.objects.get(user=daughter, kind="service_to_rate")
    assert to_rate.code == "ward_service_to_rate"  # stored as a code: read in her language, whichever it is
    with translation.override("en"):
        assert to_rate.text == "The service “陪伴独居老人” for 张*明 was verified. Tap to rate it for them."
    review = api(daughter).post(f"claims/{service.pk}/review", {"stars": 5, "comment": "谢谢"}).json()
    assert review["entered_as"] == "guardian"
    stored = Review.objects.get()
    assert (stored.author, stored.entered_by) == (elder, daughter)
    page = browser(daughter).get(f"/claims/{service.pk}/rate/").content.decode()
    assert "王芳（代 张*明）" in page
    # Removed: she can no longer see the service.
    assert api(elder)._call("delete", f"me/guardians/{daughter.pk}").status_code == 204
    assert api(daughter).get(f"claims/{service.pk}").status_code == 404


def test_a_guardian_cannot_be_named_by_someone_who_is_not_a_resident(api, volunteer, daughter):
    assert error_of(api(volunteer).post("me/guardians", {"who": daughter.phone})) == (403, "not_a_resident")
    assert not Guardian.objects.exists()


def test_the_service_card_page_prints_a_masked_name_a_qr_code_and_the_code(elder, volunteer):
    card = service_card_get(actor=elder)
    page = browser(elder).get("/me/service-card/").content.decode()
    assert "张*明" in page and "张三明" not in page.split("<main")[1]
    assert card.shown_code in page and 'src="data:image/svg+xml' in page and "<script>" not in page
    browser(elder).post("/me/service-card/")
    assert service_card_get(actor=elder).code != card.code
    assert browser(volunteer).get("/me/service-card/").status_code == 403


def test_staff_register_a_resident_without_a_phone_and_act_for_them(api, community, staff, other_staff, volunteer, make_task, funded):
    created = api(staff).post(f"communities/{community.pk}/residents", {"display_name": "李大爷"}).json()
    elder = Membership.objects.get(user_id=created["id"], role="resident").user
    assert not elder.has_usable_password() and len(created["card_code"]) == 9
    card_page = browser(staff).get(f"/communities/{community.pk}/residents/{elder.pk}/service-card/")
    assert card_page.status_code == 200 and created["card_code"] in card_page.content.decode()
    assert browser(other_staff).get(f"/communities/{community.pk}/residents/{elder.pk}/service-card/").status_code == 403
    body = {"community_id": community.pk, "title": "家里水管漏水", "category": "other", "on_behalf_of": elder.pk}
    assert error_of(api(staff).post("needs", body)) == (400, "required")
    assert error_of(api(volunteer).post("needs", {**body, "consent_note": "上门"})) == (403, "not_staff")
    assert error_of(api(other_staff).post("needs", {**body, "consent_note": "上门"})) == (403, "not_staff")
    need = api(staff).post("needs", {**body, "consent_note": "上门走访时本人口述"}).json()
    assert need["entered_by_staff"] is True and need["author_id"] == elder.pk
    assert Need.objects.get(pk=need["id"]).consent_note == "上门走访时本人口述"
    assert "由工作人员代录" in browser(staff).get(f"/needs/{need['id']}/").content.decode()
    # The community's public figures count it, shown as entered by staff.
    assert api().get(f"communities/{community.pk}/needs/board").json()["entered_by_staff"] == 1
    for public_page in (f"/communities/{community.pk}/feedback/", f"/communities/{community.pk}/info/"):
        assert "（其中 1 条由工作人员代居民录入）" in browser().get(public_page).content.decode()
    record = browser(staff).get(f"/communities/{community.pk}/residents/{elder.pk}/").content.decode()
    assert "家里水管漏水" in record and "由工作人员代录" in record
    # A review entered for the elder by staff, after a confirmed, verified service.
    claim = took_place(submitted(make_task(beneficiary=elder), volunteer, staff))
    api(staff).post(f"claims/{claim.pk}/confirm", {"consent_note": "电话回访"})
    api(staff).post(f"claims/{claim.pk}/verify")
    assert error_of(api(staff).post(f"claims/{claim.pk}/review", {"stars": 4, "on_behalf_of": elder.pk})) == (400, "required")
    assert error_of(api(staff).post(f"claims/{claim.pk}/review", {"stars": 4, "on_behalf_of": volunteer.pk, "consent_note": "x"})) == (
        400,
        "not_beneficiary",
    )
    review = api(staff).post(f"claims/{claim.pk}/review", {"stars": 4, "on_behalf_of": elder.pk, "consent_note": "电话回访"}).json()
    assert review["entered_as"] == "staff"
    assert "由工作人员代录" in browser(staff).get(f"/communities/{community.pk}/residents/{elder.pk}/").content.decode()
    # The volunteer's public rating counts it, shown as entered by staff.
    assert api().get(f"volunteers/{volunteer.pk}/reputation").json()["reviews_entered_by_staff"] == 1
    assert "（其中 1 条由工作人员代居民录入）" in browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/").content.decode()


def test_a_confirmation_before_the_service_or_for_a_task_without_beneficiary_is_refused(api, make_task, task, staff, volunteer, elder):
    claim = services.claim_create(actor=volunteer, task=make_task(beneficiary=elder, title="另一个任务", starts_at=task.ends_at))
    assert error_of(api(elder).post(f"claims/{claim.pk}/confirm")) == (409, "invalid_transition")
    plain = checked_out(task, volunteer, staff)
    assert error_of(api(staff).post(f"claims/{plain.pk}/confirm", {"consent_note": "x"})) == (409, "no_beneficiary")


def test_an_organisation_track_record_counts_only_confirmed_services(make_task, funded, staff, volunteer, elder):
    from orders.selectors import organization_track_records
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(status="verified")
    confirmed = submitted(make_task(beneficiary=elder), volunteer, staff)
    unconfirmed = services.claim_create(actor=volunteer, task=make_task(beneficiary=elder, title="另一个", starts_at=confirmed.task.ends_at))
    Claim.objects.filter(pk=confirmed.pk).update(organization=org, status="verified", confirmed_at=confirmed.task.ends_at)
    Claim.objects.filter(pk=unconfirmed.pk).update(organization=org, status="verified")
    Review.objects.create(claim_id=confirmed.pk, organization=org, author=elder, stars=4)
    assert organization_track_records([org.pk]) == {org.pk: {"services": 1, "reviews": 1, "average": Decimal("4.0"), "contracts": 0}}

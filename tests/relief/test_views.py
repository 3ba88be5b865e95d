"""The pages of assistance applications, and the promise that no one outside the named roles reads
an application or its documents by any door: page, API, list, export, upload URL."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Membership
from relief import services
from relief.models import Application
from tests.conftest import browser
from tests.factories import MembershipFactory
from tests.relief.conftest import PNG, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifying(lei, community, staff, agency):
    application = services.application_submit(
        actor=lei, community=community, kind="minimum_living", reason="五年前突发疾病致残", household_size=3, monthly_income=123_456,
        documents=[photo()],
    )
    services.application_delegate(actor=staff, application=application, organization_id=agency.pk, note="系统显示在企业工作")
    return application


def test_the_resident_applies_on_the_page_with_a_photo(lei, community):
    client = browser(lei)
    assert client.get(reverse("relief:apply")).status_code == 200
    response = client.post(reverse("relief:apply"), {
        "community": community.pk, "kind": "disability_aid", "reason": "需要轮椅", "household_size": "2", "monthly_income": "1800.50",
        "documents": [photo()],
    })
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("relief:detail", args=[application.pk])
    assert application.monthly_income == 180_050 and application.documents.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert application.tracking_no in page and "1800.50" in page


def test_a_refused_upload_is_said_on_the_form_and_nothing_is_written(lei, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = browser(lei, language="en").post(reverse("relief:apply"), {
        "community": community.pk, "kind": "temporary", "reason": "急需", "documents": [SimpleUploadedFile("a.exe", b"MZ\x90\x00binary")],
    })
    assert response.status_code == 200 and "Attach a PDF, PNG or JPEG file." in response.content.decode()
    assert not Application.objects.exists()


def test_the_tracking_page_shows_every_step_the_decision_and_the_referral_in_english(lei, staff, social_worker, verifying, agency):
    services.application_report(actor=social_worker, application=verifying, findings="社保挂靠企业，信息未更新", recommendation="approve")
    services.application_decide(actor=staff, application=verifying, approve=True, reason="核实无收入")
    services.referral_create(actor=staff, application=verifying, to_organization_id=agency.pk, what="电动轮椅")
    page = browser(lei, language="en").get(reverse("relief:detail", args=[verifying.pk])).content.decode()
    for text in ("Every step", "Submitted", "Being verified", "Verification reported", "Approved", "核实无收入", "电动轮椅", "重庆暖洋洋社会工作服务中心"):
        assert text in page, text
    zh = browser(lei).get(reverse("relief:detail", args=[verifying.pk])).content.decode()
    assert "已批准" in zh and "转介" in zh


def test_each_role_sees_the_forms_it_may_use(lei, staff, social_worker, verifying):
    url = reverse("relief:detail", args=[verifying.pk])
    staff_page = browser(staff, language="en").get(url).content.decode()
    worker_page = browser(social_worker, language="en").get(url).content.decode()
    lei_page = browser(lei, language="en").get(url).content.decode()
    assert "Report on your visit" in worker_page and "Report on your visit" not in staff_page
    assert "Refer to other help" in staff_page and "Refer to other help" not in lei_page
    assert "Withdraw my application" in lei_page and "Withdraw my application" not in staff_page


def test_staff_inbox_lists_what_waits_and_the_workbench_counts_it(staff, community, verifying, lei):
    services.application_submit(actor=lei, community=community, kind="temporary", reason="火灾")
    page = browser(staff).get(reverse("relief:inbox", args=[community.pk])).content.decode()
    assert "雷大哥" in page
    workbench = browser(staff, language="en").get(reverse("workbench", args=[community.pk])).content.decode()
    assert "Assistance applications to handle" in workbench


def test_the_organisation_lists_what_it_was_given(social_worker, verifying):
    page = browser(social_worker).get(reverse("relief:delegated")).content.decode()
    assert verifying.tracking_no in page


# --- No one outside the named roles, by any door --------------------------------------------------
@pytest.fixture
def outsiders(db, other_staff, superuser, volunteer, other_worker, resident, stranger):
    """Everyone who is not the applicant, staff of her community, or the organisation verifying it."""
    return {"other_staff": other_staff, "district_admin": superuser, "volunteer": volunteer, "other_organisation": other_worker,
            "neighbour": resident, "stranger": stranger}


def test_no_one_outside_the_named_roles_reads_an_application_by_any_door(api, outsiders, verifying, lei, staff, social_worker, settings):
    document = verifying.documents.get()
    doors = {
        "page": reverse("relief:detail", args=[verifying.pk]),
        "document": reverse("relief:document", args=[verifying.pk, document.pk]),
        "upload": f"/media/{document.file.name}",
    }
    for name, person in outsiders.items():
        for door, url in doors.items():
            assert browser(person).get(url).status_code == 404, (name, door)
        assert api(person).get(f"assistance/applications/{verifying.pk}").status_code == 404, name
        assert verifying.pk not in [a["id"] for a in api(person).get("assistance/applications").json()["items"]], name
        assert browser(person).get(reverse("relief:inbox", args=[verifying.community_id])).status_code in (403, 404), name
        mine = browser(person).get(reverse("relief:mine")).content.decode() + browser(person).get(reverse("relief:delegated")).content.decode()
        assert verifying.tracking_no not in mine, name
    for door, url in doors.items():
        assert browser().get(url).status_code == 404, ("anonymous", door)
    # The named roles do read it, documents included.
    for person in (lei, staff, social_worker):
        response = browser(person).get(doors["document"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    # The district reads figures, never names, income or tracking numbers, on the page and in the CSV.
    district = browser(outsiders["district_admin"])
    page = district.get(reverse("relief:district")).content.decode()
    export = b"".join(district.get(reverse("relief:district_export")).streaming_content).decode("utf-8-sig")
    for text in (page, export):
        for secret in ("雷大哥", verifying.tracking_no, "1234.56", "123456", "突发疾病"):
            assert secret not in text, secret
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[1][1] == verifying.community.name


def test_the_district_figures_are_for_the_district_admin_only(staff, lei):
    for person in (staff, lei):
        assert browser(person).get(reverse("relief:district")).status_code == 403
        assert browser(person).get(reverse("relief:district_export")).status_code == 403


def test_another_communitys_resident_is_no_reader_even_as_staff_elsewhere(community, verifying, other_community):
    """Staff of one community who live in another: they read their own community's applications only."""
    person = MembershipFactory(community=other_community, role=Membership.Role.STAFF).user
    MembershipFactory(community=community, role=Membership.Role.VOLUNTEER, user=person)
    assert browser(person).get(reverse("relief:detail", args=[verifying.pk])).status_code == 404


def test_the_applicant_reads_the_decision_notice_in_her_own_language(api, lei, staff, community):
    application = services.application_submit(actor=lei, community=community, kind="medical", reason="住院")
    services.application_decide(actor=staff, application=application, approve=True, reason="符合医疗救助条件")
    zh = api(lei).get("notifications").json()["items"][0]["message"]
    en = api(lei, language="en").get("notifications").json()["items"][0]["message"]
    assert zh == f"您的申请 {application.tracking_no}（医疗救助）已获批准：符合医疗救助条件"
    assert en == f"Your application {application.tracking_no} (Medical assistance (医疗救助)) was approved: 符合医疗救助条件"


def test_staff_apply_at_the_window_for_a_resident_with_her_consent(staff, lei, community):
    client = browser(staff)
    form = client.get(reverse("relief:apply")).content.decode()
    assert "雷大哥" in form  # the residents of her community to choose from
    fields = {"community": community.pk, "kind": "temporary", "reason": "家中失火", "on_behalf_of": lei.pk}
    refused = client.post(reverse("relief:apply"), fields)
    assert refused.status_code == 200 and not Application.objects.exists()
    client.post(reverse("relief:apply"), {**fields, "consent_note": "本人到窗口，持身份证"})
    application = Application.objects.get()
    assert (application.applicant, application.submitted_by, application.consent_note) == (lei, staff, "本人到窗口，持身份证")


def test_bad_form_input_is_refused_on_the_page_and_never_a_500(staff, lei, community):
    application = services.application_submit(actor=lei, community=community, kind="medical", reason="住院")
    client = browser(staff)
    url = reverse("relief:detail", args=[application.pk])
    for path, data in (("decide", {"reason": "符合"}), ("delegate", {"organization": "9" * 30}), ("delegate", {"organization": "abc"}),
                       ("referrals", {"to_organization": "9" * 30, "what": "轮椅"})):
        response = client.post(f"{url}{path}/", data)
        assert response.status_code == 302 and response["Location"] == url, (path, data)
    assert browser(lei).post(reverse("relief:apply"), {"community": "9" * 30, "kind": "medical", "reason": "x"}).status_code == 200
    application.refresh_from_db()
    assert application.status == "submitted" and not application.referrals.exists()


def test_the_inbox_filters_with_the_apis_filterset(staff, lei, community):
    services.application_submit(actor=lei, community=community, kind="medical", reason="住院")
    services.application_submit(actor=lei, community=community, kind="temporary", reason="失火")
    client = browser(staff)
    url = reverse("relief:inbox", args=[community.pk])
    page = client.get(url, {"kind": "medical"}).content.decode()
    listed = page.split("全部申请")[1].split("</form>")[1]
    assert "医疗救助" in listed and "临时救助" not in listed
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_the_inbox_shows_the_oldest_that_wait_says_how_many_more_and_pages_through_the_rest(staff, lei, community, settings):
    """#35: the inbox drew every waiting row and stopped the full list at 100 (older ones out of
    reach); now the oldest wait first with a count of the rest, and the list goes a page at a time."""
    settings.LONG_PAGE_SIZE = 2
    tracking = [services.application_submit(actor=lei, community=community, kind="temporary", reason=f"第{i}次").tracking_no for i in range(5)]
    client = browser(staff)
    url = reverse("relief:inbox", args=[community.pk])
    page = client.get(url).content.decode()
    waiting = page.split("待您处理")[1].split("全部申请")[0]
    assert tracking[0] in waiting and tracking[1] in waiting and tracking[2] not in waiting  # the oldest first
    assert "另有 3 份在等待" in waiting
    seen = set()
    for number in (1, 2, 3):
        listed = client.get(url, {"page": number, "kind": "temporary"}).content.decode().split("全部申请")[1]
        seen |= {t for t in tracking if t in listed}
    assert seen == set(tracking)  # every one reachable, the filter kept from page to page


def test_a_kept_inbox_row_never_shows_an_old_status_or_language(staff, lei, community):
    """Rows are drawn once per content and kept (#35): a withdrawal, then another language, each
    show at once."""
    application = services.application_submit(actor=lei, community=community, kind="temporary", reason="失火")
    url = reverse("relief:inbox", args=[community.pk])
    listed = browser(staff).get(url).content.decode().split("全部申请")[1].split("</form>")[1]
    assert application.tracking_no in listed and "已提交" in listed
    services.application_withdraw(actor=lei, application=application)
    listed = browser(staff).get(url).content.decode().split("全部申请")[1].split("</form>")[1]
    assert "已撤回" in listed and "已提交" not in listed
    listed = browser(staff, language="en").get(url).content.decode().split("All applications")[1].split("</form>")[1]
    assert "Withdrawn" in listed

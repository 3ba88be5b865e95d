"""Assistance applications: each refusal has its code and writes nothing; each move its history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification
from core.errors import ApplicationError
from relief import services
from relief.models import Application, ApplicationDocument, ApplicationStatusChange, Referral, VerificationReport
from tests.relief.conftest import photo

pytestmark = pytest.mark.django_db


def apply(actor, community, **kw):
    fields = {"kind": "minimum_living", "reason": "五年前突发疾病，身体残疾，无法工作", "household_size": 2, "monthly_income": 80_000}
    return services.application_submit(actor=actor, community=community, **{**fields, **kw})


def refused(code, call, *args, **kwargs):
    before = (Application.objects.count(), ApplicationStatusChange.objects.count(), ApplicationDocument.objects.count(),
              VerificationReport.objects.count(), Referral.objects.count())
    with pytest.raises(ApplicationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code
    after = (Application.objects.count(), ApplicationStatusChange.objects.count(), ApplicationDocument.objects.count(),
             VerificationReport.objects.count(), Referral.objects.count())
    assert after == before, "a refusal wrote something"
    return info.value


def test_a_resident_applies_with_a_photo_and_gets_a_tracking_number(lei, community):
    application = apply(lei, community, documents=[photo()])
    assert application.status == "submitted"
    assert application.tracking_no.startswith("JZ") and len(application.tracking_no) == 10
    assert application.documents.count() == 1
    assert list(application.history.values_list("from_status", "to_status")) == [("", "submitted")]


def test_the_whole_way_to_approval_with_a_referral_tells_everyone(lei, community, staff, agency, social_worker):
    application = apply(lei, community)
    services.application_delegate(actor=staff, application=application, organization_id=agency.pk, note="系统显示在企业工作，请核实")
    assert Notification.objects.filter(user=social_worker, code="relief_delegated").exists()
    services.application_report(actor=social_worker, application=application, findings="社保挂靠企业，信息未更新", recommendation="approve",
                                suggested_referral="电动轮椅")
    assert Notification.objects.filter(user=staff, code="relief_reported").exists()
    services.application_decide(actor=staff, application=application, approve=True, reason="核实无收入，符合低保条件")
    services.referral_create(actor=staff, application=application, to_organization_id=agency.pk, what="申请电动轮椅")
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_at
    assert list(application.history.values_list("to_status", flat=True)) == ["submitted", "verifying", "reported", "approved"]
    assert [h.actor for h in application.history.all()] == [lei, staff, social_worker, staff]
    told = Notification.objects.filter(user=lei).order_by("id")
    assert [n.code for n in told] == ["relief_approved", "relief_referred"]
    assert "核实无收入，符合低保条件" in told[0].message


def test_applying_to_a_community_one_does_not_live_in_is_refused(stranger, community):
    refused("not_a_resident", apply, stranger, community)


def test_staff_apply_for_a_resident_with_a_consent_note(staff, lei, community):
    application = apply(staff, community, on_behalf_of=lei.pk, consent_note="窗口代办，本人到场")
    assert application.applicant == lei and application.submitted_by == staff
    refused("required", apply, staff, community, on_behalf_of=lei.pk, consent_note="")


def test_a_resident_cannot_apply_for_someone_else(lei, resident, community):
    refused("not_staff", apply, lei, community, on_behalf_of=resident.pk, consent_note="我替他申请")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024)), "file_too_large"),
        (SimpleUploadedFile("letter.docx", b"PK\x03\x04 not an image"), "invalid_file_type"),
    ],
)
def test_documents_over_the_limit_or_not_image_or_pdf_are_refused(lei, community, upload, code):
    refused(code, apply, lei, community, documents=[photo(), upload])


@pytest.mark.parametrize(("field", "value", "code"), [("kind", "money", "invalid_kind"), ("reason", "  ", "required"),
                                                     ("household_size", 0, "invalid_household_size"), ("monthly_income", -1, "invalid_income")])
def test_bad_fields_are_refused(lei, community, field, value, code):
    refused(code, apply, lei, community, **{field: value})


def test_delegation_only_to_a_verified_organisation_of_the_district(lei, community, staff, far_agency, pending_agency):
    application = apply(lei, community)
    refused("organization_not_verified", services.application_delegate, actor=staff, application=application, organization_id=pending_agency.pk)
    refused("organization_other_district", services.application_delegate, actor=staff, application=application, organization_id=far_agency.pk)
    application.refresh_from_db()
    assert application.status == "submitted" and application.delegated_to is None


def test_a_report_by_a_member_of_another_organisation_is_refused(lei, community, staff, agency, other_worker):
    application = apply(lei, community)
    services.application_delegate(actor=staff, application=application, organization_id=agency.pk)
    refused("not_delegated_member", services.application_report, actor=other_worker, application=application, findings="走访", recommendation="approve")


def test_a_decision_without_a_reason_is_refused(lei, community, staff):
    application = apply(lei, community)
    refused("reason_required", services.application_decide, actor=staff, application=application, approve=True, reason="  ")


def test_deciding_twice_is_refused(lei, community, staff):
    application = apply(lei, community)
    services.application_decide(actor=staff, application=application, approve=False, reason="收入超过标准")
    refused("invalid_transition", services.application_decide, actor=staff, application=Application.objects.get(pk=application.pk),
            approve=True, reason="改主意")
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_a_stale_copy_cannot_decide_after_another_decision(lei, community, staff):
    """Two staff with the page open: the second decision finds the row moved and is refused."""
    application = apply(lei, community)
    stale = Application.objects.get(pk=application.pk)
    services.application_decide(actor=staff, application=application, approve=True, reason="符合条件")
    refused("invalid_transition", services.application_decide, actor=staff, application=stale, approve=False, reason="不符合")


def test_withdrawing_after_the_decision_is_refused(lei, community, staff):
    application = apply(lei, community)
    services.application_decide(actor=staff, application=application, approve=True, reason="符合条件")
    refused("invalid_transition", services.application_withdraw, actor=lei, application=application)


def test_the_applicant_withdraws_an_open_application(lei, community, staff, agency):
    application = apply(lei, community)
    services.application_delegate(actor=staff, application=application, organization_id=agency.pk)
    services.application_withdraw(actor=lei, application=application)
    assert Application.objects.get(pk=application.pk).status == "withdrawn"
    refused("permission_denied", services.application_withdraw, actor=staff, application=apply(lei, community))


def test_a_referral_needs_a_target(lei, community, staff):
    application = apply(lei, community)
    refused("referral_target_required", services.referral_create, actor=staff, application=application, what="电动轮椅")
    services.referral_create(actor=staff, application=application, to_text="区残联", what="电动轮椅")


def test_staff_are_reminded_once_a_day_of_applications_waiting_too_long(lei, community, staff):
    application = apply(lei, community)
    now = timezone.now()
    with override_settings(ASSISTANCE_REMINDER_DAYS=3):
        assert services.reminders_send(now=now + timezone.timedelta(days=2)) == 0
        assert services.reminders_send(now=now + timezone.timedelta(days=4)) == 1
        assert services.reminders_send(now=now + timezone.timedelta(days=4, hours=1)) == 0
        assert services.reminders_send(now=now + timezone.timedelta(days=5, hours=1)) == 1
    note = Notification.objects.filter(user=staff, code="relief_waiting").first()
    assert note.params["n"] == 1
    services.application_decide(actor=staff, application=application, approve=True, reason="符合")
    assert services.reminders_send(now=now + timezone.timedelta(days=9)) == 0


def test_documents_are_added_to_an_open_application_only_and_never_none(lei, community, staff):
    application = apply(lei, community)
    services.application_documents_add(actor=staff, application=application, documents=[photo()])
    refused("required", services.application_documents_add, actor=lei, application=application, documents=[])
    refused("invalid_file_type", services.application_documents_add, actor=lei, application=application,
            documents=[SimpleUploadedFile("x.gif", b"GIF89a....")])
    services.application_withdraw(actor=lei, application=application)
    refused("invalid_transition", services.application_documents_add, actor=lei, application=application, documents=[photo()])
    assert application.documents.count() == 1

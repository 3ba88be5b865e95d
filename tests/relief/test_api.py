"""The assistance API, as the contract's third round says: statuses, codes, and who reads what."""

import pytest

from relief import services
from relief.models import Application
from tests.conftest import browser
from tests.relief.conftest import photo

pytestmark = pytest.mark.django_db
BASE = "assistance/applications"


def body(community, **kw):
    return {"community_id": community.pk, "kind": "minimum_living", "reason": "身体残疾，无法工作", "household_size": 2, "monthly_income": 80_000, **kw}


@pytest.fixture
def application(lei, community):
    return services.application_submit(actor=lei, community=community, kind="minimum_living", reason="身体残疾", household_size=2,
                                       monthly_income=80_000, documents=[photo()])


def test_a_resident_applies_and_tracks_every_step(api, lei, community, staff, agency, social_worker):
    response = api(lei).post(BASE, body(community))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted" and created["tracking_no"].startswith("JZ")
    app_id = created["id"]
    assert api(staff).post(f"{BASE}/{app_id}/delegate", {"organization_id": agency.pk, "note": "请核实社保"}).json()["status"] == "verifying"
    assert api(social_worker).post(f"{BASE}/{app_id}/report", {"findings": "信息未更新", "recommendation": "approve"}).json()["status"] == "reported"
    assert api(staff).post(f"{BASE}/{app_id}/decide", {"approve": True, "reason": "符合低保条件"}).json()["status"] == "approved"
    referral = api(staff).post(f"{BASE}/{app_id}/referrals", {"to_organization_id": agency.pk, "what": "电动轮椅"})
    assert referral.status_code == 201 and referral.json()["to"] == "重庆暖洋洋社会工作服务中心"
    detail = api(lei).get(f"{BASE}/{app_id}").json()
    assert [h["status"] for h in detail["history"]] == ["submitted", "verifying", "reported", "approved"]
    assert detail["decision_reason"] == "符合低保条件" and detail["referrals"][0]["what"] == "电动轮椅"
    assert detail["monthly_income"] == 80_000 and detail["household_size"] == 2


@pytest.mark.parametrize(
    ("who", "path", "payload", "status", "code"),
    [
        ("stranger", BASE, {}, 403, "not_a_resident"),
        ("lei", BASE, {"kind": "money"}, 400, "invalid_kind"),
        ("lei", BASE, {"reason": ""}, 400, "required"),
        ("lei", BASE, {"household_size": 0}, 400, "invalid_household_size"),
        ("lei", BASE, {"community_id": 999_999}, 404, "community_not_found"),
        ("staff", "{id}/delegate", {"organization_id": "pending"}, 400, "organization_not_verified"),
        ("staff", "{id}/delegate", {"organization_id": "far"}, 400, "organization_other_district"),
        ("staff", "{id}/delegate", {"organization_id": 999_999}, 404, "organization_not_found"),
        ("lei", "{id}/delegate", {"organization_id": "agency"}, 403, "permission_denied"),
        ("staff", "{id}/decide", {"approve": True, "reason": " "}, 400, "reason_required"),
        ("lei", "{id}/decide", {"approve": True, "reason": "自己批"}, 403, "permission_denied"),
        ("staff", "{id}/referrals", {"what": "轮椅"}, 400, "referral_target_required"),
        ("staff", "{id}/withdraw", {}, 403, "permission_denied"),
        ("social_worker", "{id}/report", {"findings": "走访", "recommendation": "approve"}, 404, "application_not_found"),
        ("other_staff", "{id}", None, 404, "application_not_found"),
        ("superuser", "{id}", None, 404, "application_not_found"),
    ],
)
def test_bad_input_gets_its_code_and_writes_nothing(api, request, application, community, who, path, payload, status, code, agency, far_agency, pending_agency):
    caller = request.getfixturevalue(who)
    names = {"pending": pending_agency.pk, "far": far_agency.pk, "agency": agency.pk}
    url = path if path == BASE else f"{BASE}/{path.format(id=application.pk)}"
    before = (Application.objects.count(), application.history.count(), application.referrals.count())
    if payload is None:
        response = api(caller).get(url)
    else:
        data = body(community, **payload) if path == BASE else {k: names.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
        response = api(caller).post(url, data)
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert (Application.objects.count(), application.history.count(), application.referrals.count()) == before
    assert Application.objects.get(pk=application.pk).status == "submitted"


def test_deciding_twice_and_withdrawing_after_the_decision_are_409(api, application, lei, staff):
    url = f"{BASE}/{application.pk}"
    assert api(staff).post(f"{url}/decide", {"approve": False, "reason": "收入超标"}).status_code == 200
    again = api(staff).post(f"{url}/decide", {"approve": True, "reason": "改判"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    late = api(lei).post(f"{url}/withdraw")
    assert (late.status_code, late.json()["code"]) == (409, "invalid_transition")
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_a_report_by_a_member_of_another_organisation_is_refused(api, application, staff, agency, other_worker, community):
    """It may not even know the application exists (404); the service's own refusal is in test_services."""
    api(staff).post(f"{BASE}/{application.pk}/delegate", {"organization_id": agency.pk})
    response = api(other_worker).post(f"{BASE}/{application.pk}/report", {"findings": "走访", "recommendation": "approve"})
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == "verifying"


def test_the_organisation_reads_the_figures_only_while_it_verifies(api, application, staff, agency, social_worker):
    url = f"{BASE}/{application.pk}"
    assert api(social_worker).get(url).status_code == 404  # not delegated yet
    api(staff).post(f"{url}/delegate", {"organization_id": agency.pk})
    while_verifying = api(social_worker).get(url).json()
    assert while_verifying["monthly_income"] == 80_000 and len(while_verifying["documents"]) == 1
    assert browser(social_worker).get(while_verifying["documents"][0]["url"]).status_code == 200
    api(social_worker).post(f"{url}/report", {"findings": "属实", "recommendation": "approve"})
    api(staff).post(f"{url}/decide", {"approve": True, "reason": "符合"})
    after = api(social_worker).get(url).json()
    assert after["sensitive_hidden"] is True
    assert after["monthly_income"] is None and after["household_size"] is None and after["documents"] == []
    assert browser(social_worker).get(while_verifying["documents"][0]["url"]).status_code == 404
    listed = api(social_worker).get(BASE).json()["items"]
    assert [(a["id"], a["monthly_income"]) for a in listed] == [(application.pk, None)]


def test_the_list_holds_only_what_the_caller_may_read(api, application, lei, staff, other_staff, resident, superuser):
    assert [a["id"] for a in api(lei).get(BASE).json()["items"]] == [application.pk]
    assert [a["id"] for a in api(staff).get(BASE).json()["items"]] == [application.pk]
    for caller in (other_staff, resident, superuser):
        assert api(caller).get(BASE).json()["items"] == []
    assert api().get(BASE).status_code == 401
    assert api(staff).get(BASE, {"status": "nonsense"}).json()["code"] == "invalid_filter"


def test_staff_apply_on_behalf_with_a_consent_note(api, staff, lei, community):
    response = api(staff).post(BASE, body(community, on_behalf_of=lei.pk, consent_note="窗口代办"))
    assert response.status_code == 201
    assert Application.objects.get(pk=response.json()["id"]).applicant == lei
    missing = api(staff).post(BASE, body(community, on_behalf_of=lei.pk))
    assert (missing.status_code, missing.json()["code"]) == (400, "required")

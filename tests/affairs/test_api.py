"""Public affairs through the API: policies, service items, funds and their spending, supervision
reports, with every bad input of issue #31."""

from datetime import date

import pytest

from affairs import services
from affairs.models import Fund, Policy, Report, ReportStatusChange, SpendingLine
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db

POLICY = {"title": "高龄津贴发放办法", "category": "elderly", "issuer": "江北区民政局", "summary": "80 周岁以上老人每月领取高龄津贴",
          "body": "持身份证到社区便民服务中心申请。", "effective_at": "2025-01-01"}


def test_staff_publish_a_policy_for_their_community_and_anyone_finds_it_by_two_characters(api, staff, community):
    response = api(staff).post("public/policies", {**POLICY, "community_id": community.pk, "url": "https://www.cqjb.gov.cn/zc/1"})
    assert response.status_code == 201, response.content
    found = api().get("public/policies", {"q": "高龄"}).json()
    assert found["count"] == 1 and found["items"][0]["title"] == "高龄津贴发放办法"
    assert found["items"][0]["url"] == "https://www.cqjb.gov.cn/zc/1" and found["items"][0]["issuer"] == "江北区民政局"
    assert api().get("public/policies", {"q": "低保"}).json()["count"] == 0
    assert api().get("public/policies", {"category": "disability"}).json()["count"] == 0


def test_only_the_district_admin_publishes_for_the_whole_district(api, staff, superuser):
    assert error_of(api(staff).post("public/policies", POLICY)) == (403, "permission_denied")
    assert api(superuser).post("public/policies", POLICY).status_code == 201


def test_staff_of_another_community_may_not_publish_for_it(api, other_staff, community):
    assert error_of(api(other_staff).post("public/policies", {**POLICY, "community_id": community.pk})) == (403, "permission_denied")
    assert Policy.objects.count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/a", "www.example.com", "data:text/html,<b>x</b>"])
def test_a_policy_link_that_is_not_http_is_refused(api, superuser, url):
    assert error_of(api(superuser).post("public/policies", {**POLICY, "url": url})) == (400, "invalid_url")
    assert Policy.objects.count() == 0


def test_an_unknown_category_is_refused(api, superuser):
    assert error_of(api(superuser).post("public/policies", {**POLICY, "category": "taxes"})) == (400, "invalid_category")


def test_html_in_a_policy_is_kept_as_text_and_shown_as_text(api, superuser, client):
    response = api(superuser).post("public/policies", {**POLICY, "title": "<script>alert(1)</script>高龄"})
    assert response.status_code == 201
    assert response.json()["title"] == "<script>alert(1)</script>高龄"
    page = client.get(f"/affairs/policies/{response.json()['id']}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;高龄" in page


def test_a_service_item_says_where_to_go_and_links_to_a_need_form(api, staff, community):
    body = {"name": "高龄津贴申领", "category": "elderly", "where": "锣旗寺社区便民服务中心 1 号窗口", "how_to_apply": "本人或家属携带材料到窗口",
            "documents": "身份证、户口簿、银行卡", "community_id": community.pk, "online_action": "need"}
    item = api(staff).post("public/service-items", body)
    assert item.status_code == 201
    assert item.json()["apply_url"] == f"/needs/new/{community.pk}/"
    listed = api().get("public/service-items", {"q": "津贴", "community": community.pk}).json()
    assert [i["name"] for i in listed["items"]] == ["高龄津贴申领"]


def test_an_assistance_link_is_left_out_until_the_assistance_page_exists(api, staff, community):
    body = {"name": "临时救助", "where": "街道社会救助窗口", "how_to_apply": "填写申请表", "community_id": community.pk, "online_action": "assistance"}
    item = api(staff).post("public/service-items", body).json()
    from django.urls import NoReverseMatch, reverse

    try:
        expected = reverse("relief:apply")
    except NoReverseMatch:
        expected = None
    assert item["apply_url"] == expected


# --- Funds ----------------------------------------------------------------------------------------------
@pytest.fixture
def fund(staff, community):
    return services.fund_create(actor=staff, name="2026年惠民资金", source="government", amount=100_000, year=2026, community=community)


def test_spending_is_recorded_and_the_fund_adds_up(api, staff, fund):
    assert api(staff).post(f"public/funds/{fund.pk}/spending", {"amount": 30_000, "what": "高龄老人助餐", "at": "2026-03-01"}).status_code == 201
    assert api(staff).post(f"public/funds/{fund.pk}/spending", {"amount": 70_000, "what": "适老化改造", "at": "2026-04-01"}).status_code == 201
    detail = api().get(f"public/funds/{fund.pk}").json()
    assert detail["amount"] == 100_000 and detail["spent"] == 100_000
    assert sum(line["amount"] for line in detail["spending"]) == detail["spent"]


def test_spending_past_the_amount_is_refused_and_nothing_is_written(api, staff, fund):
    api(staff).post(f"public/funds/{fund.pk}/spending", {"amount": 60_000, "what": "助餐", "at": "2026-03-01"})
    response = api(staff).post(f"public/funds/{fund.pk}/spending", {"amount": 40_001, "what": "改造", "at": "2026-03-02"})
    assert error_of(response) == (409, "insufficient_funds")
    assert SpendingLine.objects.filter(fund=fund).count() == 1


@pytest.mark.parametrize("amount", [0, -5, 10**15])
def test_a_spending_amount_that_is_not_a_positive_sum_is_refused(api, staff, fund, amount):
    assert error_of(api(staff).post(f"public/funds/{fund.pk}/spending", {"amount": amount, "what": "助餐", "at": "2026-03-01"}))[0] == 400
    assert not SpendingLine.objects.exists()


def test_staff_of_another_community_may_not_spend_its_fund(api, other_staff, fund):
    response = api(other_staff).post(f"public/funds/{fund.pk}/spending", {"amount": 1, "what": "助餐", "at": "2026-03-01"})
    assert error_of(response) == (403, "permission_denied")


def test_donations_appear_among_the_public_funds_as_their_own_source(api, staff, community, fund):
    from funds.models import Donation, Spending

    Donation.objects.create(community=community, amount=50_000, currency="cny", status="succeeded")
    Spending.objects.create(community=community, amount=20_000, currency="cny", spent_on=date(2026, 5, 1), purpose="慰问品", payee="超市",
                            created_by=staff)
    items = api().get("public/funds", {"community": community.pk}).json()["items"]
    by_source = {i["source"]: i for i in items}
    assert by_source["government"]["amount"] == 100_000
    assert by_source["donations"]["amount"] == 50_000 and by_source["donations"]["spent"] == 20_000 and by_source["donations"]["id"] is None


def test_a_fund_from_donations_is_not_recorded_by_hand(api, staff, community):
    body = {"name": "捐赠", "source": "donations", "amount": 100, "year": 2026, "community_id": community.pk}
    assert error_of(api(staff).post("public/funds", body)) == (400, "invalid_source")
    assert not Fund.objects.exists()


# --- Reports --------------------------------------------------------------------------------------------
def test_a_resident_reports_gets_a_tracking_number_and_reads_the_reply(api, resident, staff, community):
    created = api(resident).post("reports", {"community_id": community.pk, "subject": "楼道灯", "text": "三个月没修", "anonymous": True})
    assert created.status_code == 201 and created.json()["status"] == "received"
    number = created.json()["tracking_no"]
    report = Report.objects.get(tracking_no=number)
    replied = api(staff).post(f"reports/{report.pk}/reply", {"reply": "已安排维修", "status": "resolved", "public": True})
    assert replied.status_code == 200 and replied.json()["author_name"] is None
    tracked = api(resident).get(f"reports/{number}").json()
    assert tracked["status"] == "resolved" and tracked["reply"] == "已安排维修"
    assert [(h.from_status, h.to_status) for h in ReportStatusChange.objects.filter(report=report)] == [("", "received"), ("received", "resolved")]
    public = api().get("public/reports", {"community": community.pk}).json()["items"]
    assert [p["subject"] for p in public] == ["楼道灯"] and "author_name" not in public[0]


def test_a_tracking_number_is_only_its_authors(api, resident, volunteer, staff, community):
    number = api(resident).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "坏了"}).json()["tracking_no"]
    assert error_of(api(volunteer).get(f"reports/{number}")) == (404, "report_not_found")
    assert error_of(api(staff).get(f"reports/{number}")) == (404, "report_not_found")


def test_an_empty_report_is_refused(api, resident, community):
    assert error_of(api(resident).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "   "})) == (400, "required")
    assert not Report.objects.exists()


def test_a_report_to_a_community_that_does_not_exist_is_refused(api, resident):
    assert error_of(api(resident).post("reports", {"community_id": 999_999, "subject": "路灯", "text": "坏了"})) == (404, "community_not_found")
    assert not Report.objects.exists()


def test_a_reply_by_staff_of_another_community_is_refused(api, resident, other_staff, community):
    api(resident).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "坏了"})
    report = Report.objects.get()
    assert error_of(api(other_staff).post(f"reports/{report.pk}/reply", {"reply": "不归我们管", "status": "resolved"})) == (404, "report_not_found")
    report.refresh_from_db()
    assert report.status == "received" and report.reply == ""


def test_a_closed_report_cannot_be_moved_again(api, resident, staff, community):
    api(resident).post("reports", {"community_id": community.pk, "subject": "路灯", "text": "坏了"})
    report = Report.objects.get()
    api(staff).post(f"reports/{report.pk}/reply", {"reply": "查无此事", "status": "unfounded"})
    assert error_of(api(staff).post(f"reports/{report.pk}/reply", {"reply": "再看看", "status": "in_progress"})) == (409, "invalid_transition")


def test_reports_are_rate_limited_per_person(api, resident, community, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report_create": (3, 3600)}
    answers = [api(resident).post("reports", {"community_id": community.pk, "subject": "路灯", "text": f"第{i}次"}).status_code for i in range(4)]
    assert answers == [201, 201, 201, 429]
    assert Report.objects.count() == 3


def test_html_in_a_report_is_shown_as_text_to_staff(api, resident, staff, community):
    api(resident).post("reports", {"community_id": community.pk, "subject": "<img src=x onerror=alert(1)>", "text": "<b>坏了</b>"})
    from tests.conftest import browser

    page = browser(staff).get(f"/affairs/manage/{community.pk}/").content.decode()
    assert "<img src=x onerror=alert(1)>" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "办理方式："), ("en", "How to apply: ")])
def test_a_service_item_page_writes_the_colon_of_the_readers_language(api, staff, community, language, label):
    body = {"name": "高龄津贴申领", "where": "1 号窗口", "how_to_apply": "到窗口办理", "community_id": community.pk, "online_action": "need"}
    item = api(staff).post("public/service-items", body).json()
    page = browser(language=language).get(f"/affairs/services/{item['id']}/").content.decode()
    assert f"{label}高龄津贴申领" in page


def test_staff_hear_of_a_new_report_its_author_of_each_answer_and_the_district_of_an_escalation(api, resident, staff, superuser, community):
    from accounts.models import Notification

    created = api(resident).post("reports", {"community_id": community.pk, "subject": "路灯坏了", "text": "三号楼前的路灯一周不亮"}).json()
    told = Notification.objects.get(user=staff, code="report_received")
    assert "路灯坏了" in told.message and told.url == f"/affairs/manage/{community.pk}/"
    report = Report.objects.get(tracking_no=created["tracking_no"])
    assert api(staff).post(f"reports/{report.pk}/escalate").status_code == 200
    assert Notification.objects.filter(user=superuser, code="report_escalated").count() == 1
    api(staff).post(f"reports/{report.pk}/reply", {"reply": "已报修", "status": "resolved"})
    answer = Notification.objects.get(user=resident, code="report_answered")
    assert answer.url == f"/affairs/reports/track/{report.tracking_no}/"
    # Each reader reads it in their own language: the author's page in English names the status.
    page = browser(resident, language="en").get("/notifications/").content.decode()
    assert f"Your report {report.tracking_no} was answered: Resolved." in page
    assert browser(resident).get(answer.url).status_code == 200  # the link opens the report

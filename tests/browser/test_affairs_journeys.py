"""#31: public affairs on a phone, in Chinese (in 长辈模式, the elder mode) and in English.

Every page is photographed (test-artifacts/affairs-<lang>-<step>.png), must not scroll sideways at
390 px and must pass the axe-core gate (no serious or critical violation)."""

from datetime import date

import pytest

from tests.browser.test_journeys import CHROMIUM, PHONE, browser, footer_hidden_by_tabbar, log_in, new_page, shot  # noqa: F401 (fixtures)
from tests.browser.test_phone_journeys import Gate

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]

LOCALES = {"zh": "zh-CN", "en": "en-US"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def phone(browser, base, lang):
    page = new_page(browser, locale=LOCALES[lang])
    if lang == "zh":  # the elder mode, as an elderly resident would have it
        page.context.add_cookies([{"name": "large_text", "value": "1", "url": base}])
    return page


@pytest.fixture
def affairs_world():
    from accounts.models import Membership
    from affairs import services
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff_wang", user__display_name="王晓梅").user
    MembershipFactory(community=community, role="resident", user__username="resident_zhang", user__display_name="张桂兰").user
    admin = UserFactory(is_superuser=True, is_staff=True)
    item = services.service_item_create(actor=staff, name="高龄津贴申领", category="elderly", where="锣旗寺社区便民服务中心 1 号窗口",
                                        how_to_apply="本人或家属到窗口填写申请表", documents="身份证、户口簿、银行卡", community=community,
                                        online_action="need")
    services.policy_create(actor=admin, title="江北区高龄津贴发放办法", category="elderly", issuer="江北区民政局",
                           summary="户籍 80 周岁以上老人每月领取高龄津贴（高龄补贴）", effective_at=date(2024, 1, 1), service_item=None)
    policy = services.policy_create(actor=staff, title="锣旗寺社区高龄补贴申领指南", category="elderly", issuer="锣旗寺社区居委会",
                                    summary="80 周岁以上老人到社区申领高龄补贴", effective_at=date(2024, 1, 1), community=community, service_item=item)
    fund = services.fund_create(actor=staff, name="2026 年惠民资金 · 居家养老", source="government", amount=240_000_00, year=2026, community=community)
    services.spending_line_record(actor=staff, fund=fund, amount=36_000_00, what="独居老人助餐补贴（4 月）", at=date(2026, 4, 8))
    charity = services.fund_create(actor=staff, name="群团公益基金 · 微项目", source="charity", amount=50_000_00, year=2026, community=community)
    services.spending_line_record(actor=staff, fund=charity, amount=12_500_00, what="四点半课堂文具与绘本", at=date(2026, 6, 1))
    return {"community": community, "policy": policy, "fund": fund, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_finds_the_old_age_allowance_and_where_to_apply_in_three_taps(browser, live_server, affairs_world, lang):
    base, look = live_server.url, Gate(lang, "affairs")
    me = phone(browser, base, lang)
    me.goto(f"{base}/")
    look(me, "home")
    me.click(".public-affairs a.big")  # tap 1
    look(me, "policies")
    me.fill("#policy-q", "高龄补贴")
    me.click("form[role=search] button[type=submit]")  # tap 2
    look(me, "search")
    me.click(f"a[href='/affairs/policies/{affairs_world['policy'].pk}/']")  # tap 3
    look(me, "policy")
    item = me.inner_text("#service-item")
    assert "锣旗寺社区便民服务中心 1 号窗口" in item and "身份证、户口簿、银行卡" in item
    assert me.locator("#service-item a.button").get_attribute("href") == f"/needs/new/{affairs_world['community'].pk}/"
    assert look.problems == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_reports_anonymously_and_follows_it_to_a_public_reply(browser, live_server, affairs_world, lang):
    base, look, community = live_server.url, Gate(lang, "affairs"), affairs_world["community"]
    me = phone(browser, base, lang)
    log_in(me, base, "resident_zhang", affairs_world["password"])
    me.goto(f"{base}/affairs/reports/new/?community={community.pk}")
    look(me, "report-form")
    me.fill("#report-subject", "低保名单公示时间太短")
    me.fill("#report-text", "只公示了两天就撤了。<b>请按规定公示 7 天</b>")
    me.check("input[name=anonymous]")
    me.click("main form button[type=submit]")
    look(me, "tracking")
    number = me.inner_text("#tracking-no").strip()

    staff = new_page(browser, viewport={"width": 1024, "height": 800})
    log_in(staff, base, "staff_wang", affairs_world["password"])
    staff.goto(f"{base}/affairs/manage/{community.pk}/")
    report = staff.locator("article.report", has_text=number)
    assert "张桂兰" not in report.inner_text()  # anonymous to staff
    report.locator("textarea[name=reply]").fill("已重新公示 7 天。")
    report.locator("select[name=status]").select_option("resolved")
    report.locator("input[name=public]").check()
    report.locator("form[action$='/reply/'] button[type=submit]").click()

    me.goto(f"{base}/affairs/reports/track/{number}/")
    look(me, "replied")
    assert me.inner_text("#report-reply").strip() == "已重新公示 7 天。"
    me.goto(f"{base}/affairs/reports/?community={community.pk}")
    look(me, "public-list")
    listed = me.inner_text("main")
    assert "低保名单公示时间太短" in listed and "<b>请按规定公示 7 天</b>" in listed and "张桂兰" not in listed
    assert look.problems == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staff_record_a_spending_line_with_a_voucher_and_the_public_funds_page_adds_up(browser, live_server, affairs_world, lang, tmp_path):
    base, look, fund = live_server.url, Gate(lang, "affairs"), affairs_world["fund"]
    staff = phone(browser, base, lang)
    log_in(staff, base, "staff_wang", affairs_world["password"])
    staff.goto(f"{base}/affairs/funds/{fund.pk}/")
    look(staff, "fund")
    voucher = tmp_path / "invoice.png"
    voucher.write_bytes(PNG)
    staff.fill("#line-amount", "580")
    staff.fill("#line-what", "适老化改造（扶手 12 户）")
    staff.set_input_files("#line-voucher", str(voucher))
    staff.click("form[action$='/spending/'] button[type=submit]")
    look(staff, "recorded")
    row = staff.locator("#lines-table tbody tr", has_text="适老化改造（扶手 12 户）")
    assert row.locator("a[href*='/voucher/']").count() == 1

    me = phone(browser, base, lang)
    me.goto(f"{base}/affairs/funds/?community={affairs_world['community'].pk}")
    look(me, "public-funds")
    rows = me.eval_on_selector_all("#funds-table tbody tr", "rows => rows.map(r => [+r.dataset.amount, +r.dataset.spent])")
    totals = me.inner_text("#fund-totals")
    amount, spent = sum(a for a, _ in rows), sum(s for _, s in rows)
    assert (amount, spent) == (290_000_00, 36_000_00 + 12_500_00 + 580_00)
    assert f"{amount / 100:,.2f}" in totals and f"{spent / 100:,.2f}" in totals and f"{(amount - spent) / 100:,.2f}" in totals
    assert look.problems == []

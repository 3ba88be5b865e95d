"""#30 in a real browser: 雷大哥 applies for 低保 on a phone with a photo of his certificate, staff
delegate the check to 重庆暖洋洋社会工作服务中心 on a desktop, the social worker reports from her
phone, staff approve and refer him for an electric wheelchair, and 雷大哥 reads the decision, its
reason and the referral. In Chinese and in English; every phone page is photographed
(test-artifacts/phone-<lang>-NN-relief-*.png), must not scroll sideways and must pass the axe gate;
the desktop pages are photographed (relief-<lang>-desk-*.png) and pass the axe gate too."""

import pytest

from tests.browser.test_journeys import CHROMIUM, browser, log_in, new_page, shot  # noqa: F401 (fixture)
from tests.browser.test_phone_journeys import LOCALES, Gate
from tests.relief.conftest import PNG

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def fusheng():
    from accounts.models import Membership, OrganizationMember
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory, StreetFactory

    community = CommunityFactory(name="复盛社区", street=StreetFactory(name="复盛镇"))
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="fusheng_staff", user__display_name="何芳").user
    lei = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="lei_dage", user__display_name="雷大哥").user
    agency = OrganizationFactory(community=community, name="重庆暖洋洋社会工作服务中心")
    gao = OrganizationMemberFactory(organization=agency, role=OrganizationMember.Role.MEMBER, user__username="gao", user__display_name="高合枫").user
    return {"community": community, "staff": staff, "lei": lei, "agency": agency, "gao": gao, "password": PASSWORD}


def desk_gate(lang: str):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []

    def look(page, name):
        shot(page, f"relief-{lang}-desk-{name}")
        problems.extend((name, v["id"], v["impact"]) for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical"))

    look.problems = problems
    return look


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lei_dage_applies_on_a_phone_is_verified_approved_and_referred(browser, live_server, fusheng, lang):  # noqa: F811
    from relief.models import Application

    base, password = live_server.url, fusheng["password"]
    look, desk = Gate(lang), desk_gate(lang)

    # 雷大哥 applies from his phone, with a photo of his disability certificate.
    lei = new_page(browser, locale=LOCALES[lang])
    log_in(lei, base, "lei_dage", password)
    lei.goto(f"{base}/assistance/apply/")
    look(lei, "relief-apply")
    lei.check("input[name=kind][value=minimum_living]")
    lei.fill("#reason", "五年前突发疾病，身体留下残疾，无法工作。")
    lei.fill("#household-size", "2")
    lei.fill("#monthly-income", "0")
    lei.set_input_files("#documents", files=[{"name": "残疾证.png", "mimeType": "image/png", "buffer": PNG}])
    lei.click("main form button[type=submit]")
    application = Application.objects.get(applicant=fusheng["lei"])
    assert application.documents.count() == 1
    assert application.tracking_no in lei.inner_text("main")
    look(lei, "relief-applied")

    # Staff see it in the workbench on a desktop and delegate the check with a note.
    staff = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(staff, base, "fusheng_staff", password)
    staff.goto(f"{base}/communities/{fusheng['community'].pk}/workbench/")
    assert "雷大哥" in staff.inner_text("main")
    desk(staff, "workbench")
    staff.goto(f"{base}/communities/{fusheng['community'].pk}/assistance/")  # the inbox: what waits first
    assert application.tracking_no in staff.inner_text("main")
    assert staff.locator(".nav-links a[aria-current=page]").get_attribute("href") == f"/communities/{fusheng['community'].pk}/workbench/"
    desk(staff, "inbox")
    staff.goto(f"{base}/assistance/{application.pk}/")
    staff.select_option("#organization", str(fusheng["agency"].pk))
    staff.fill("#delegate-note", "系统显示在企业工作，请入户核实社保信息")
    staff.click("form[action$='/delegate/'] button[type=submit]")
    desk(staff, "delegated")
    application.refresh_from_db()
    assert application.status == "verifying"

    # The social worker finds it on her phone and reports on her visit.
    gao = new_page(browser, locale=LOCALES[lang])
    log_in(gao, base, "gao", password)
    gao.goto(f"{base}/assistance/delegated/")
    look(gao, "relief-delegated")
    gao.click(f"a[href='/assistance/{application.pk}/']")
    gao.fill("#findings", "雷大哥之前是个体经营户，挂靠企业购买社保，企业信息未更新；实际没有工作收入。")
    gao.check("input[name=recommendation][value=approve]")
    gao.fill("#suggested-referral", "符合医疗器械辅助条件，可申请电动轮椅")
    gao.set_input_files("#attachments", files=[{"name": "走访照片.png", "mimeType": "image/png", "buffer": PNG}])
    look(gao, "relief-report-form")
    gao.click("form[action$='/report/'] button[type=submit]")
    look(gao, "relief-reported")
    application.refresh_from_db()
    assert application.status == "reported"

    # Staff approve with a reason and refer him for a wheelchair.
    staff.goto(f"{base}/assistance/{application.pk}/")
    staff.check("input[name=approve][value='1']")
    staff.fill("#decide-reason", "经社工核实，社保记录有误，实际无收入，符合低保条件。")
    staff.click("form[action$='/decide/'] button[type=submit]")
    staff.select_option("#to-organization", str(fusheng["agency"].pk))
    staff.fill("#what", "协助申请电动轮椅")
    staff.click("form[action$='/referrals/'] button[type=submit]")
    desk(staff, "approved-and-referred")
    application.refresh_from_db()
    assert application.status == "approved" and application.referrals.count() == 1

    # 雷大哥 is told, and reads the decision, its reason and the referral.
    lei.goto(f"{base}/notifications/")
    look(lei, "relief-notifications")
    assert application.tracking_no in lei.inner_text("main")
    lei.goto(f"{base}/assistance/{application.pk}/")
    look(lei, "relief-decision")
    main = lei.inner_text("main")
    for text in ("符合低保条件", "协助申请电动轮椅", "重庆暖洋洋社会工作服务中心", "已批准" if lang == "zh" else "Approved"):
        assert text in main, text
    assert look.problems == [] and desk.problems == [], (look.problems, desk.problems)

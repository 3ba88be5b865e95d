"""Journeys in a real browser (Debian's chromium driven by Playwright) against the live site, and
the accessibility gate (axe-core) on the main pages in Chinese and in English.

Screenshots of each step go to test-artifacts/ (not committed). Where no chromium is installed,
these tests skip with that reason; .ci/run installs it, so CI runs them."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.funds.test_donations import WEBHOOK_SECRET, localstripe_url, payments, stripe_post  # noqa: F401 (fixtures)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own database calls are
    # plain synchronous code, so Django's async-safety guard is lifted for these tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# A full-page screenshot draws a fixed element where it sits in the first screen, so the phone's tab
# bar would cover the middle of a long page in the picture. For the picture only, it is drawn where
# the reader meets it at the end of the page (below the footer; ``footer_hidden_by_tabbar`` checks
# the real layout).
# (Through the CSSOM: the Content-Security-Policy refuses an injected <style>.)
TABBAR_AT_THE_END = """on => {
    const bar = document.querySelector('.tabbar');
    if (!bar) return;
    document.body.style.position = on ? 'relative' : '';
    bar.style.position = on ? 'absolute' : '';
}"""


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate(TABBAR_AT_THE_END, True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.evaluate(TABBAR_AT_THE_END, False)


def footer_hidden_by_tabbar(page) -> float:
    """Scrolled to the very end, how many pixels of the footer's last line the fixed tab bar covers
    (0 when the whole footer shows above it, or when there is no bar: wider screens)."""
    return page.evaluate(
        """() => {
            window.scrollTo(0, document.documentElement.scrollHeight);
            const bar = document.querySelector('.tabbar'), last = document.querySelector('.site-footer > :last-child');
            if (!bar || !last || getComputedStyle(bar).display === 'none') return 0;
            const covered = last.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
            window.scrollTo(0, 0);
            return Math.max(0, covered);
        }"""
    )


def new_page(browser, locale="zh-CN", viewport=PHONE):
    return browser.new_context(viewport=viewport, locale=locale).new_page()


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


@pytest.fixture
def world():
    from accounts.models import Membership
    from marketplace.services import TaskFields, task_create
    from points.services import points_budget
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff_wang").user
    resident = MembershipFactory(community=community, role="resident", user__username="resident_zhang", user__display_name="张桂兰").user
    points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    start = timezone.now() + timedelta(minutes=10)  # the check-in window is already open
    task = task_create(
        actor=staff, community=community,
        fields=TaskFields(title="陪伴独居老人聊天", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=1),
                          location="3 栋", slots=2, points=20, skills=[], beneficiary=resident),
    )
    return {"community": community, "staff": staff, "resident": resident, "task": task, "password": PASSWORD}


def test_a_volunteer_registers_joins_claims_on_a_phone_staff_verify_and_the_points_show(browser, live_server, world):
    base, community, task = live_server.url, world["community"], world["task"]
    me = new_page(browser)
    me.goto(f"{base}/accounts/register/")
    me.fill("#id_username", "xiaoyu")
    me.fill("#id_display_name", "赵小雨")
    me.fill("#id_password", "a-long-passphrase")
    me.fill("#id_password2", "a-long-passphrase")
    me.click("main button[type=submit]")
    shot(me, "1-registered")
    me.goto(f"{base}/communities/{community.pk}/")
    me.click("button:has-text('以志愿者身份加入')")
    me.goto(f"{base}/tasks/")
    me.click("text=陪伴独居老人聊天")
    me.click("button:has-text('我要接单')")
    shot(me, "2-claimed")
    assert "已接单" in me.content()

    staff = new_page(browser, viewport={"width": 1024, "height": 800})
    log_in(staff, base, "staff_wang", world["password"])
    staff.goto(f"{base}/tasks/{task.pk}/")
    code = staff.inner_text(".checkin .code").strip()  # shown on site by staff
    me.fill("#checkin-code", code)
    me.click("#my-claim button[type=submit]:has-text('签到')")
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=60))  # the service took place (no 0 h check-out)
    me.fill("#checkout-code", code)
    me.click("#my-claim button[type=submit]:has-text('签退')")
    # The resident shows her service card; the volunteer types its code (#22: she confirms it).
    from accounts.assistance.services import service_card_get

    me.fill("#submit-card", service_card_get(actor=world["resident"]).shown_code)
    me.click("#my-claim button[type=submit]:has-text('提交审核')")
    shot(me, "3-submitted")
    staff.goto(f"{base}/claims/queue/")
    staff.click("td form[action*='/verify/'] button:has-text('审核通过')")  # the row's own button, not the bulk one
    shot(staff, "4-verified")
    me.goto(f"{base}/points/")
    shot(me, "5-points")
    assert "20" in me.inner_text("ul.stats")

    resident = new_page(browser)
    log_in(resident, base, "resident_zhang", world["password"])
    resident.goto(f"{base}/tasks/{task.pk}/")
    resident.check("input[name=stars][value='5']")
    resident.fill("textarea[name=comment]", "小雨很耐心")
    resident.click("button:has-text('提交评价')")
    shot(resident, "6-reviewed")
    from orders.models import Review

    assert Review.objects.get().stars == 5


def test_a_resident_posts_a_need_from_a_phone_sees_the_reply_and_later_rates_the_service(browser, live_server, world):
    base, community = live_server.url, world["community"]
    me = new_page(browser)
    log_in(me, base, "resident_zhang", world["password"])
    me.goto(f"{base}/needs/new/{community.pk}/")
    me.fill("#id_title", "楼道灯坏了")
    me.click("main button[type=submit]")
    shot(me, "need-1-posted")
    staff = new_page(browser)
    log_in(staff, base, "staff_wang", world["password"])
    staff.goto(me.url)
    staff.select_option("#triage_track", "minor")
    staff.fill("#triage_reply", "已安排志愿者维修")
    staff.click("button:has-text('保存分流结果')")
    me.reload()
    shot(me, "need-2-replied")
    assert "已安排志愿者维修" in me.content()

    # Staff turn the need into a task for her; a volunteer does it and staff verify it (through
    # the services: the volunteer's own pages are the first journey).
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.models import Need
    from marketplace.services import TaskFields, need_create_task, task_checkin_code
    from orders.services import claim_check_in, claim_check_out, claim_confirm, claim_create, claim_submit, claim_verify
    from tests.factories import MembershipFactory

    need = Need.objects.get(title="楼道灯坏了")
    start = timezone.now() + timedelta(minutes=10)
    task = need_create_task(
        actor=world["staff"], need=need,
        fields=TaskFields(title="更换楼道灯", description="", category="repair", starts_at=start, ends_at=start + timedelta(hours=1),
                          location="3 栋", slots=1, points=10, skills=[], beneficiary=world["resident"]),
    )
    volunteer = MembershipFactory(community=community, role="volunteer", user__display_name="李师傅").user
    claim = claim_create(actor=volunteer, task=task)
    code, _ = task_checkin_code(actor=world["staff"], task=task)
    claim_check_in(actor=volunteer, claim=claim, code=code)
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=60))  # the service took place
    claim_check_out(actor=volunteer, claim=claim, code=code)
    claim_submit(actor=volunteer, claim=claim)
    claim_confirm(actor=world["resident"], claim=claim)  # she confirms the service happened (#22)
    claim_verify(actor=world["staff"], claim=claim)

    me.goto(f"{base}/tasks/{task.pk}/")
    me.check("input[name=stars][value='4']")
    me.fill("textarea[name=comment]", "灯修好了，谢谢李师傅")
    me.click("button:has-text('提交评价')")
    shot(me, "need-3-rated")
    from orders.models import Review

    review = Review.objects.get(claim=claim)
    assert (review.stars, review.comment) == (4, "灯修好了，谢谢李师傅")


def test_a_donor_gives_through_the_stripe_card_element(browser, live_server, world, payments, settings):  # noqa: F811
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_community_market"
    settings.STRIPE_JS_URL = f"{payments}/js.stripe.com/v3/"
    stripe_post(payments, "/_config/webhooks/community_market", {"url": f"{live_server.url}/stripe/webhook/", "secret": WEBHOOK_SECRET})
    base, community = live_server.url, world["community"]
    donor = new_page(browser)
    donor.goto(f"{base}/donate/?community={community.pk}")
    donor.fill("#amount", "66")
    inputs = donor.locator("#card-element input")
    for i, value in enumerate(["4242424242424242", "12", "30", "123", "40000"]):
        inputs.nth(i).fill(value)
    donor.click("#donate-button")
    donor.wait_for_url("**/receipt/**", timeout=15000)
    for _ in range(30):
        donor.reload()
        if "已到账" in donor.inner_text("#donation-status"):
            break
        donor.wait_for_timeout(200)
    shot(donor, "donate-receipt")
    assert "已到账" in donor.inner_text("#donation-status")
    donor.goto(f"{base}/communities/{community.pk}/funds/")
    assert "¥66.00" in donor.inner_text("ul.stats")


MAIN_PAGES = ["/", "/tasks/", "/tasks/{task}/", "/communities/", "/communities/{community}/", "/communities/{community}/info/",
              "/organizations/", "/projects/", "/feedback/", "/communities/{community}/rewards/", "/communities/{community}/funds/",
              "/accounts/login/", "/accounts/register/"]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_main_pages_have_no_serious_accessibility_violations(browser, live_server, world, locale):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(browser, locale=locale)
    problems = []
    for path in MAIN_PAGES:
        page.goto(live_server.url + path.format(task=world["task"].pk, community=world["community"].pk))
        violations = axe.run(page).response["violations"]
        problems += [(path, v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert problems == []


def test_text_enlarged_to_200_percent_loses_nothing_on_a_phone(browser, live_server, world):
    page = new_page(browser)
    for path in ("/", "/tasks/", f"/tasks/{world['task'].pk}/"):
        page.goto(live_server.url + path)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (path, overflow)  # no sideways scrolling, nothing cut off
    shot(page, "zoom-200")


def test_every_control_is_reachable_by_keyboard(browser, live_server, world):
    page = new_page(browser, viewport={"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.textContent.trim())"))
    assert {"id_username", "id_password"} <= reached
    page.keyboard.press("Shift+Tab")
    controls = page.evaluate(
        "Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea'))"
        ".filter(e => e.tabIndex < 0).length"
    )
    assert controls == 0  # nothing takes itself out of the tab order


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_dashboards_pass_the_accessibility_gate(browser, live_server, world, locale):
    from axe_playwright_python.sync_playwright import Axe

    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="district_admin_axe", is_superuser=True, is_staff=True)
    axe = Axe()
    problems = []
    for username, path in [
        ("staff_wang", f"/communities/{world['community'].pk}/dashboard/"),
        ("district_admin_axe", "/district/dashboard/"),
    ]:
        page = new_page(browser, locale=locale, viewport={"width": 1024, "height": 800})
        log_in(page, live_server.url, username, PASSWORD)
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        violations = axe.run(page).response["violations"]
        problems += [(path, v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
        shot(page, f"dashboard-{username}-{locale}")
    assert problems == []

"""In a real browser (#28 part B): the second looks before one-tap actions, the masked names, the
marked menu item and each role's home, on a 390×844 phone in Chinese and English and at the staff
desk (1366×900). Every step is photographed (test-artifacts/second-look-*.png) and passes the axe gate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_journeys import CHROMIUM, PHONE, browser, log_in, new_page, shot, world  # noqa: F401 (fixtures)
from tests.browser.test_phone_journeys import LOCALES

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]
DESK = {"width": 1366, "height": 900}


class Look:
    """Photograph a page, check it does not scroll sideways, run axe-core; collect the problems."""

    def __init__(self, name: str, width: int):
        from axe_playwright_python.sync_playwright import Axe

        self.axe, self.name, self.width, self.problems, self.step = Axe(), name, width, [], 0

    def __call__(self, page, step: str) -> None:
        self.step += 1
        shot(page, f"second-look-{self.name}-{self.step:02d}-{step}")
        if (width := page.evaluate("document.documentElement.scrollWidth")) > self.width:
            self.problems.append((step, "scrolls sideways", width))
        for v in self.axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                self.problems.append((step, v["id"], v["impact"]))


def lines_of(page, selector: str) -> int:
    """How many lines the first element matching ``selector`` wraps to."""
    return page.evaluate(
        """s => { const r = document.createRange(); r.selectNodeContents(document.querySelector(s));
                  return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }""", selector)


def overflowing(page, selector: str) -> list[str]:
    """The texts of elements matching ``selector`` whose content is wider than their box."""
    return page.evaluate("s => [...document.querySelectorAll(s)].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())", selector)


@pytest.fixture
def served(world):
    """A verified service for 张桂兰 (to rate), a need of hers with a reply, and points to spend."""
    from marketplace import services as market
    from marketplace.services import task_checkin_code
    from orders.services import claim_check_in, claim_check_out, claim_confirm, claim_create, claim_submit, claim_verify
    from points import services as points
    from tests.factories import MembershipFactory

    community, staff, resident, task = world["community"], world["staff"], world["resident"], world["task"]
    volunteer = MembershipFactory(community=community, role="volunteer", user__display_name="李师傅").user
    claim = claim_create(actor=volunteer, task=task)
    code, _ = task_checkin_code(actor=staff, task=task)
    claim_check_in(actor=volunteer, claim=claim, code=code)
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=60))
    claim_check_out(actor=volunteer, claim=claim, code=code)
    claim_submit(actor=volunteer, claim=claim)
    claim_confirm(actor=resident, claim=claim)
    claim_verify(actor=staff, claim=claim)
    need = market.need_submit(actor=resident, community=community, title="楼道灯坏了")
    market.need_triage(actor=staff, need=need, track="private", reply="已联系物业维修")
    old = market.need_submit(actor=resident, community=community, title="去年的垃圾桶")
    market.need_triage(actor=staff, need=old, track="minor", reply="已加装")
    market.need_resolve(actor=staff, need=old, reply="已加装两个垃圾桶")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    start = timezone.now() + timedelta(days=2)
    market.task_create(actor=staff, community=community, fields=market.TaskFields(
        title="周末义诊帮忙", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=2),
        location="社区服务中心", slots=1, points=10, skills=[], beneficiary=None,
    ))
    points.points_award(actor=None, community=community, user=resident, amount=200, idempotency_key="polish")
    rice = points.reward_create(actor=staff, community=community, name="大米 5kg", cost=30, stock=5)
    oil = points.reward_create(actor=staff, community=community, name="食用油 1.8L", cost=40, stock=5)
    fulfilled = points.redemption_reserve(actor=resident, reward=oil, quantity=1)
    points.redemption_fulfil(actor=staff, redemption=fulfilled, code=fulfilled.code)
    to_cancel = points.redemption_reserve(actor=resident, reward=rice, quantity=1)
    points.redemption_reserve(actor=resident, reward=rice, quantity=1)
    return {**world, "claim": claim, "need": need, "old_need": old, "to_cancel": to_cancel}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_on_a_phone_reads_the_polished_pages(browser, live_server, served, lang):
    from orders.models import Review
    from points.services import redemption_cancel

    base, claim = live_server.url, served["claim"]
    look = Look(f"phone-{lang}", PHONE["width"])
    redemption_cancel(actor=served["staff"], redemption=served["to_cancel"], reason="大米受潮，换一袋再约")
    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, base, "resident_zhang", served["password"])
    look(me, "home")
    main = me.inner_text("main")
    assert ("我的需求有回复了" not in main) and ("A reply to my need" not in main)  # news, not a task
    assert me.locator(f"main a[href='/claims/{claim.pk}/rate/']").count() == 1  # rating needs her: it is there
    # The header fits one row: the bell, the language and "more" sit on the brand's line.
    tops = me.evaluate("[...document.querySelectorAll('.site-header .brand, .site-header .nav-phone > *')].map(e => Math.round(e.getBoundingClientRect().top))")
    assert max(tops) - min(tops) < 24, tops

    me.click("header .bell")
    look(me, "notifications")
    text = me.inner_text("main")
    assert "大米受潮，换一袋再约" in text
    assert ("工作人员取消了您预约的大米 5kg" in text) if lang == "zh" else ("Staff cancelled your reservation of 大米 5kg" in text)

    me.goto(f"{base}/claims/{claim.pk}/rate/")
    look(me, "rate")
    me.click("label.star-option:has(input[value='1'])")
    one = me.evaluate("getComputedStyle(document.querySelector('input[value=\"1\"] + .star-face')).backgroundColor")
    five = me.evaluate("getComputedStyle(document.querySelector('input[value=\"5\"] + .star-face')).backgroundColor")
    assert one != five  # the picked one is tinted
    assert me.inner_text("label.star-option:has(input[value='1']) .star-row") != me.inner_text("label.star-option:has(input[value='5']) .star-row")
    me.click("label.star-option:has(input[value='5'])")
    look(me, "rate-picked")
    assert not Review.objects.exists()  # a tap picks, nothing is sent
    me.click("button.rate-send")
    look(me, "rated")
    assert Review.objects.get().stars == 5

    me.goto(f"{base}/needs/")
    look(me, "my-needs")
    main = me.inner_text("main")
    assert main.index("楼道灯坏了") < main.index("去年的垃圾桶")  # open first
    assert "Private matter (market)" not in main and "(私事" not in main

    me.goto(f"{base}/points/")
    look(me, "points")
    assert me.locator(".reservation-rows li").count() == 3 and "—" not in me.inner_text(".reservation-rows")
    heights = me.evaluate("[...document.querySelectorAll('.reservation-rows li:not(.waiting)')].map(e => e.getBoundingClientRect().height)")
    assert len(heights) == 2 and max(heights) < 100, heights  # picked up or cancelled: compact dated rows, not 420 px cards
    community_line = "table.ledger tbody tr:first-child td:nth-child(2) small"
    assert lines_of(me, community_line) == 1  # "锣旗寺社区" on one line

    me.goto(f"{base}/tasks/")
    look(me, "board")
    if lang == "en":
        when = me.inner_text(".task-card .meta span")
        assert "/" not in when and any(m in when for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")), when

    anyone = new_page(browser, locale=LOCALES[lang])
    anyone.goto(f"{base}/feedback/")
    look(anyone, "feedback-public")
    assert "张桂兰" not in anyone.inner_text("main") and "张*兰" in anyone.inner_text("main")
    anyone.goto(f"{base}/certificates/AAAA-BBBB-CCCC-DDDD/")
    look(anyone, "certificate-unknown")
    assert ("这张证明不存在" if lang == "zh" else "This certificate does not exist") in anyone.inner_text("main")
    assert look.problems == [], look.problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staff_at_the_desk_cancel_a_reservation_with_a_reason_and_read_the_dashboards(browser, live_server, served, lang):
    from points.models import Redemption

    base, community = live_server.url, served["community"]
    look = Look(f"desk-{lang}", DESK["width"])
    desk = new_page(browser, locale=LOCALES[lang], viewport=DESK)
    log_in(desk, base, "staff_wang", served["password"])
    look(desk, "workbench")
    assert desk.locator(".nav-links a[aria-current=page]").get_attribute("href") == f"/communities/{community.pk}/workbench/"
    desk.goto(f"{base}/needs/")
    look(desk, "needs")
    assert desk.locator(".nav-links a[aria-current=page]").get_attribute("href") == "/needs/"
    desk.goto(f"{base}/feedback/")
    assert "张桂兰" in desk.inner_text("main")  # staff read the full name

    desk.goto(f"{base}/communities/{community.pk}/points/")
    look(desk, "counter")
    workbench = f"/communities/{community.pk}/workbench/"
    assert desk.locator(".nav-links a[aria-current=page]").get_attribute("href") == workbench  # the desk, not 我的积分
    desk.click(f"a[href='/redemptions/{served['to_cancel'].pk}/cancel/']")
    look(desk, "cancel-confirm")
    assert desk.locator(".nav-links a[aria-current=page]").get_attribute("href") == workbench
    desk.click("main button[type=submit]")  # no reason yet
    look(desk, "cancel-needs-reason")
    assert Redemption.objects.get(pk=served["to_cancel"].pk).status == "reserved"
    desk.fill("#cancel-reason", "大米受潮，换一袋再约")
    desk.click("main button[type=submit]")
    look(desk, "cancelled")
    assert Redemption.objects.get(pk=served["to_cancel"].pk).status == "cancelled"

    for step, url in (("community-dashboard", f"/communities/{community.pk}/dashboard/"),):
        desk.goto(f"{base}{url}")
        look(desk, step)
        assert overflowing(desk, ".headline .figure") == []
    for width, name in ((DESK, "desk"), (PHONE, "phone")):
        desk.set_viewport_size(width)
        desk.goto(f"{base}/communities/{community.pk}/dashboard/")
        assert overflowing(desk, ".headline .figure") == [], name
    assert look.problems == [], look.problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_organisation_withdraws_a_bid_after_a_second_look_and_a_refused_bid_opens_at_its_errors(browser, live_server, world, lang):
    from accounts.models import OrganizationMember
    from marketplace.services import project_create
    from orders.models import Bid
    from tests.factories import OrganizationFactory, UserFactory

    base = live_server.url
    org = OrganizationFactory(status="verified", community=world["community"], name="重庆暖洋洋社会工作服务中心")
    OrganizationMember.objects.create(organization=org, user=UserFactory(username="nuanyangyang"), role="admin")
    project = project_create(actor=world["staff"], community=world["community"], title="助老服务", budget=1_000_000,
                             bid_deadline=timezone.now() + timedelta(days=7), description="为辖区独居老人提供每周上门探访。" * 20)
    look = Look(f"org-{lang}", DESK["width"])
    desk = new_page(browser, locale=LOCALES[lang], viewport=DESK)
    log_in(desk, base, "nuanyangyang", world["password"])
    look(desk, "org-home")
    assert "助老服务" in desk.inner_text("main")
    desk.goto(f"{base}/projects/{project.pk}/")
    desk.select_option("#bid-org", str(org.pk))
    desk.fill("#bid-amount", "12000")
    desk.fill("#bid-proposal", "入户探访，每周两次")
    desk.fill("#bid-team", "社工 3 name".replace("name", "名"))
    desk.set_input_files("#bid-file", files=[{"name": "方案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}])
    # The server's own refusal (the browser's checks off: rules only the server knows, such as a
    # file's type, reach the page this way).
    desk.evaluate("document.querySelector(\"form[action*='/bid/']\").noValidate = true")
    desk.click("form[action*='/bid/'] button[type=submit]")
    look(desk, "bid-refused")
    assert desk.evaluate("document.activeElement && document.activeElement.id") == "bid-errors"
    assert desk.evaluate("document.getElementById('bid-errors').getBoundingClientRect().top") < DESK["height"]  # in view
    desk.click("#bid-errors a[href='#bid-amount']")
    desk.fill("#bid-amount", "9000")
    desk.click("form[action*='/bid/'] button[type=submit]")
    bid = Bid.objects.get()
    desk.click(f"a[href='/projects/bids/{bid.pk}/withdraw/']")
    look(desk, "withdraw-confirm")
    bid.refresh_from_db()
    assert bid.status == "submitted"
    desk.click("main button[type=submit]")
    look(desk, "withdrawn-form-kept")
    assert desk.input_value("#bid-amount") == "9000.00" and desk.input_value("#bid-proposal") == "入户探访，每周两次"
    assert desk.input_value("#bid-team") == "社工 3 名"
    assert desk.locator("#bid-file-kept").is_visible()  # the file too, not only the text
    desk.click("form[action*='/bid/'] button[type=submit]")
    again = Bid.objects.exclude(pk=bid.pk).get()
    assert again.attachment.read() == b"%PDF-1.4 plan"

    admin = new_page(browser, locale=LOCALES[lang], viewport=DESK)
    UserFactory(username="district_admin", is_superuser=True, is_staff=True)
    log_in(admin, base, "district_admin", world["password"])
    look(admin, "district-home")
    assert admin.locator("main a[href='/district/dashboard/']").count() == 1
    from accounts.models import Street
    from funds.models import Donation
    from tests.factories import CommunityFactory

    Donation.objects.create(community=world["community"], amount=1_200_000, currency="cny", status="succeeded")
    street = Street.objects.create(district=world["community"].street.district, name="郭家沱街道办事处第二片区")
    for i in range(3):
        CommunityFactory(name=f"铁山坪社区{i}", street=street)
    admin.goto(f"{base}/district/dashboard/")
    look(admin, "district-dashboard")
    assert "¥12,000.00" in admin.inner_text(".headline") and overflowing(admin, ".headline .figure") == []
    assert admin.evaluate("(() => { const w = document.querySelector('.figure-table').closest('.table-wrap'); return w.scrollWidth <= w.clientWidth + 1; })()")
    assert lines_of(admin, ".figure-table td.street") <= 1  # the street's name on one line
    admin.set_viewport_size(PHONE)
    admin.goto(f"{base}/district/dashboard/")
    look(admin, "district-dashboard-phone")
    assert overflowing(admin, ".headline .figure") == []
    assert look.problems == [], look.problems

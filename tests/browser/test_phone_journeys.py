"""#16: the volunteer's and the resident's journeys on a 390×844 phone, in Chinese and in English.

Every page of a journey is photographed (test-artifacts/phone-<lang>-<step>.png), must not scroll
sideways at 390 px, and must pass the axe-core gate (no serious or critical violation); the gate
also runs in 长辈模式 (large text)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.assistance import service_card_get
from tests.browser.test_journeys import CHROMIUM, PHONE, browser, footer_hidden_by_tabbar, log_in, new_page, shot, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]

LOCALES = {"zh": "zh-CN", "en": "en-US"}


class Gate:
    """Look at a page as the journey reaches it: photograph it, check it fits the phone's width and
    run axe-core on it. Problems are collected and asserted at the end (one run shows them all)."""

    def __init__(self, lang: str):
        from axe_playwright_python.sync_playwright import Axe

        self.axe, self.lang, self.problems, self.step = Axe(), lang, [], 0

    def __call__(self, page, name: str) -> None:
        self.step += 1
        shot(page, f"phone-{self.lang}-{self.step:02d}-{name}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.problems.append((name, "scrolls sideways", width))
        if covered := footer_hidden_by_tabbar(page):
            self.problems.append((name, "the tab bar covers the footer", covered))
        for v in self.axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                self.problems.append((name, v["id"], v["impact"]))




@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_new_volunteer_from_registration_to_verified_hours_that_equal_what_they_submitted(browser, live_server, world, lang):
    from orders.models import Claim

    base, community, task = live_server.url, world["community"], world["task"]
    look = Gate(lang)
    me = new_page(browser, locale=LOCALES[lang])
    me.goto(f"{base}/accounts/register/")
    look(me, "register")
    me.fill("#id_username", "xiaoyu")
    me.fill("#id_display_name", "赵小雨")
    me.fill("#id_password", "a-long-passphrase")
    me.fill("#id_password2", "a-long-passphrase")
    me.click("main button[type=submit]")
    me.goto(f"{base}/communities/{community.pk}/")
    look(me, "community")
    me.click("form:has(input[name=role][value=volunteer]) button")
    me.goto(f"{base}/")
    look(me, "home")
    me.click(".tabbar a[href='/tasks/']")
    look(me, "board")
    assert me.locator(".tabbar a[aria-current=page]").get_attribute("href") == "/tasks/"
    me.click(f"#task-{task.pk} h2 a")
    look(me, "task")
    me.click("#my-claim button[type=submit]")  # the one large action: take the task
    look(me, "claimed")
    claim = Claim.objects.get(task=task, user__username="xiaoyu")

    staff = new_page(browser, viewport={"width": 1024, "height": 800})
    log_in(staff, base, "staff_wang", world["password"])
    staff.goto(f"{base}/tasks/{task.pk}/")
    code = staff.inner_text(".checkin .code").strip()  # shown on site by staff
    me.fill("#checkin-code", code)
    me.click("#my-claim button[type=submit]")
    look(me, "checked-in")
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=90))  # the service took place
    me.fill("#checkout-code", code)
    me.click("#my-claim button[type=submit]")
    look(me, "checked-out")
    assert me.inner_text(".claim-status") == ("已签退" if lang == "zh" else "Checked out")
    me.fill("#hours", "1.5")
    me.fill("#note", "陪王奶奶聊了一个半小时")
    # The person served shows her service card; the volunteer types its code (two-party confirmation).
    card = service_card_get(actor=world["resident"])
    me.fill("#submit-card", card.code)
    me.click("#my-claim form[action$='/submit/'] button[type=submit]")
    look(me, "submitted")

    staff.goto(f"{base}/claims/queue/")
    assert "陪王奶奶聊了一个半小时" in staff.inner_text("main")  # the note reaches staff
    staff.click(f"form[action='/claims/{claim.pk}/verify/'] button[type=submit]")
    claim.refresh_from_db()
    assert claim.status == "verified" and claim.hours == Decimal("1.50")

    me.goto(f"{base}/volunteers/{claim.user_id}/record/")
    look(me, "record")
    assert "1.50" in me.inner_text("main")
    me.goto(f"{base}/")
    look(me, "home-after")
    assert me.inner_text(".stat-tiles li:nth-child(2) strong") == "1.50"
    assert look.problems == [], look.problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_posts_a_need_and_rates_the_service_from_the_notification(browser, live_server, world, lang):
    from marketplace.models import Need
    from marketplace.services import TaskFields, need_create_task, need_triage, task_checkin_code
    from orders.models import Review
    from orders.services import claim_check_in, claim_check_out, claim_confirm, claim_create, claim_submit, claim_verify
    from tests.factories import MembershipFactory

    base, community = live_server.url, world["community"]
    look = Gate(lang)
    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, base, "resident_zhang", world["password"])
    look(me, "resident-home")
    me.click(".tabbar a[href='/needs/']")
    look(me, "my-needs")
    me.click(f"main a[href='/needs/new/{community.pk}/']")
    look(me, "need-form")
    me.fill("#id_title", "楼道灯坏了")
    me.click("main button[type=submit]")
    look(me, "need-posted")
    need = Need.objects.get(title="楼道灯坏了")
    need_triage(actor=world["staff"], need=need, track="minor", reply="已安排志愿者维修")

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
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=60))
    claim_check_out(actor=volunteer, claim=claim, code=code)
    claim_submit(actor=volunteer, claim=claim)
    claim_confirm(actor=world["resident"], claim=claim)  # she confirmed the service from her phone
    claim_verify(actor=world["staff"], claim=claim)

    me.goto(f"{base}/")
    look(me, "home-to-rate")
    me.click("header .bell")
    look(me, "notifications")
    me.click(f"main a[href='/claims/{claim.pk}/rate/']")  # straight from the notification
    look(me, "rate")
    me.fill("#rate-comment", "灯修好了，谢谢李师傅")
    me.click("button[name=stars][value='5']")  # the second tap sends
    look(me, "rated")
    review = Review.objects.get(claim=claim)
    assert (review.stars, review.comment) == (5, "灯修好了，谢谢李师傅")
    assert look.problems == [], look.problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_redeeming_points_asks_for_confirmation(browser, live_server, world, lang):
    from points import services
    from points.models import Redemption
    from tests.factories import MembershipFactory

    base, community = live_server.url, world["community"]
    reward = services.reward_create(actor=world["staff"], community=community, name="大米 5kg", cost=30, stock=3)
    MembershipFactory(community=community, role="volunteer", user__username="laoli")
    from accounts.models import User

    services.points_award(actor=None, community=community, user=User.objects.get(username="laoli"), amount=100, idempotency_key="j")
    look = Gate(lang)
    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, base, "laoli", world["password"])
    me.click(".tabbar a[href='/points/']")
    look(me, "my-points")
    me.click(f"main a[href='/communities/{community.pk}/rewards/']")
    look(me, "supermarket")
    me.click(f"form[action='/rewards/{reward.pk}/redeem/'] button[type=submit]")
    look(me, "confirm")
    assert not Redemption.objects.exists()  # one tap spends nothing
    me.click("main form button[type=submit]")
    look(me, "reserved")
    redemption = Redemption.objects.get()
    assert redemption.points == 30 and redemption.code in me.inner_text("main")
    assert look.problems == [], look.problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_large_text_mode_passes_the_gate_and_fits_the_phone(browser, live_server, world, lang):
    look = Gate(f"large-{lang}")
    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, live_server.url, "resident_zhang", world["password"])
    me.goto(f"{live_server.url}/accounts/profile/")
    me.click("main a[href^='/large-text/on/']")
    assert me.evaluate("document.documentElement.classList.contains('large-text')")
    for path in ["/", "/tasks/", f"/tasks/{world['task'].pk}/", "/needs/", "/points/", "/notifications/", "/accounts/profile/"]:
        me.goto(live_server.url + path)
        look(me, path.strip("/").replace("/", "-") or "home")
    assert look.problems == [], look.problems

"""#16: the volunteer's and the resident's journeys on a 390×844 phone, in Chinese and in English.

Every page of a journey is photographed (test-artifacts/phone-<lang>-<step>.png), must not scroll
sideways at 390 px, and must pass the axe-core gate (no serious or critical violation); the gate
also runs in 长辈模式 (large text)."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.assistance.services import service_card_get
from tests.browser.test_journeys import CHROMIUM, PHONE, browser, footer_hidden_by_tabbar, log_in, new_page, shot, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]

LOCALES = {"zh": "zh-CN", "en": "en-US"}


class Gate:
    """Look at a page as the journey reaches it: photograph it (test-artifacts/<prefix>-<lang>-<step>-<name>.png),
    check it fits its screen's width and run axe-core on it. Problems are collected and asserted at
    the end (one run shows them all). Every journey of a phone or a desk uses this one gate."""

    def __init__(self, lang: str, prefix: str = "phone"):
        from axe_playwright_python.sync_playwright import Axe

        self.axe, self.lang, self.prefix, self.problems, self.step = Axe(), lang, prefix, [], 0

    def __call__(self, page, name: str) -> None:
        self.step += 1
        shot(page, f"{self.prefix}-{self.lang}-{self.step:02d}-{name}")
        width, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
        if width > screen:
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
    me.click("label.star-option:has(input[value='5'])")  # a tap picks, and shows what was picked
    look(me, "rate-picked")
    assert not Review.objects.filter(claim=claim).exists()
    me.click("button.rate-send")  # sending is its own tap
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_bid_comes_back_with_every_field_and_its_attachment(browser, live_server, world, lang):
    """#16: an organisation's bid refused by the server (the budget was lowered while its admin
    typed: the page's own limit was the old one) comes back with everything typed and the attached
    PDF kept, the error beside the amount with the new maximum; correcting the amount is enough."""
    from marketplace.services import project_create
    from orders.models import Bid
    from orders.services import project_change_terms
    from tests.factories import OrganizationFactory, OrganizationMemberFactory

    base, community, staff = live_server.url, world["community"], world["staff"]
    org = OrganizationFactory(community=community, name="重庆暖洋洋社会工作服务中心")
    OrganizationMemberFactory(organization=org, role="admin", user__username="org_li")
    project = project_create(
        actor=staff, community=community, title="独居老人关爱项目", budget=5_000_000, bid_deadline=timezone.now() + timedelta(days=3)
    )
    look = Gate(f"{lang}-bid")
    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, base, "org_li", world["password"])
    me.goto(f"{base}/projects/{project.pk}/")
    typed = {"#bid-amount": "45000", "#bid-proposal": "每周两次上门探访独居老人，配备持证社工", "#bid-team": "社工 3 名、志愿者 12 名",
             "#bid-timeline": "2027 年 1 月至 12 月"}
    for selector, text in typed.items():
        me.fill(selector, text)
    me.set_input_files("#bid-file", files=[{"name": "服务方案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% proposal\n%%EOF\n"}])
    look(me, "bid-typed")
    project_change_terms(actor=staff, project=project, budget=4_000_000)  # meanwhile, at the community office
    me.click("form[action*='/bid/'] button[type=submit]")
    look(me, "bid-refused")
    assert not Bid.objects.exists()
    for selector, text in typed.items():  # nothing typed is lost
        assert me.input_value(selector) == text, selector
    assert "40,000.00" in me.inner_text(".field:has(#bid-amount) .error")  # the error beside its field, with the new maximum
    assert "服务方案.pdf" in me.inner_text(".field:has(#bid-file)")  # the attachment is kept, and it says so
    me.fill("#bid-amount", "40000")
    me.click("form[action*='/bid/'] button[type=submit]")
    look(me, "bid-sent")
    bid = Bid.objects.get()
    assert (bid.amount, bid.team) == (4_000_000, "社工 3 名、志愿者 12 名")
    assert bid.attachment.open("rb").read().startswith(b"%PDF-1.4")  # sent without choosing the file again
    assert look.problems == [], look.problems


def test_a_service_for_an_elder_without_a_phone_confirmed_by_her_card_and_by_her_guardian(browser, live_server, world):
    """#22 on a phone: staff print the card of an elder who has no phone; one volunteer scans its QR
    code when submitting (the code is read back here from the rendered card); the other did not, so
    her daughter, named her guardian, confirms from a notification; staff verify both services; the
    daughter rates the service for her mother."""
    import zxingcpp
    from PIL import Image

    from accounts.assistance.services import guardian_accept, guardian_add, resident_register_assisted
    from marketplace.services import TaskFields, task_checkin_code, task_create
    from orders.models import Claim, Review
    from orders.services import claim_check_in, claim_check_out, claim_create, claim_submit
    from tests.factories import MembershipFactory, UserFactory

    base, community, staff = live_server.url, world["community"], world["staff"]
    elder = resident_register_assisted(actor=staff, community=community, display_name="张三明")
    daughter = UserFactory(username="wangfang", display_name="王芳")
    guardian_add(actor=elder, guardian=daughter)  # named at the community desk
    guardian_accept(actor=daughter, resident_id=elder.pk)  # and she said yes
    start = timezone.now() + timedelta(minutes=10)
    task = task_create(
        actor=staff, community=community,
        fields=TaskFields(title="陪同张奶奶就医", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=2),
                          location="区人民医院", slots=2, points=20, skills=[], beneficiary=elder),
    )
    xiaoli, laozhou = (MembershipFactory(community=community, role="volunteer", user__username=u, user__display_name=n).user
                       for u, n in (("xiaoli", "李小丽"), ("laozhou", "周建国")))
    claims = {v.username: claim_create(actor=v, task=task) for v in (xiaoli, laozhou)}
    code = task_checkin_code(actor=staff, task=task)[0]
    for volunteer in (xiaoli, laozhou):
        claim_check_in(actor=volunteer, claim=claims[volunteer.username], code=code)
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(minutes=5))
    for volunteer in (xiaoli, laozhou):
        claim_check_out(actor=volunteer, claim=claims[volunteer.username], code=code)
    look = Gate("zh-card")

    # Staff print her card; the volunteer's phone reads its QR code.
    desk = new_page(browser, viewport={"width": 1024, "height": 800})
    log_in(desk, base, "staff_wang", world["password"])
    desk.goto(f"{base}/communities/{community.pk}/residents/{elder.pk}/service-card/")
    shot(desk, "phone-zh-card-00-printed-by-staff")
    scanned = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(desk.locator(".service-card-qr").screenshot())))]
    assert scanned == [elder.service_card.shown_code]

    me = new_page(browser, locale=LOCALES["zh"])
    log_in(me, base, "xiaoli", world["password"])
    me.goto(f"{base}/tasks/{task.pk}/")
    look(me, "volunteer-task")
    me.fill("#hours", "1.5")
    me.fill("#note", "陪张奶奶挂号、取药")
    me.fill("#submit-card", scanned[0])
    me.click("#my-claim form[action$='/submit/'] button[type=submit]")
    look(me, "volunteer-submitted")
    first = Claim.objects.get(pk=claims["xiaoli"].pk)
    assert (first.status, first.confirmation_method, first.submitted_hours) == ("submitted", "code", Decimal("1.5"))

    claim_submit(actor=laozhou, claim=claims["laozhou"], hours="1.5")  # he forgot to scan the card
    daughter_phone = new_page(browser, locale=LOCALES["zh"])
    log_in(daughter_phone, base, "wangfang", world["password"])
    daughter_phone.click("header .bell")
    look(daughter_phone, "guardian-notifications")
    daughter_phone.click(f"main a[href='/claims/{claims['laozhou'].pk}/confirm/']")
    look(daughter_phone, "guardian-confirm")
    assert "张*明" in daughter_phone.inner_text("main")  # she sees for whom she confirms
    daughter_phone.click("main form button[type=submit]")
    look(daughter_phone, "guardian-confirmed")
    second = Claim.objects.get(pk=claims["laozhou"].pk)
    assert (second.confirmation_method, second.confirmed_by) == ("guardian", daughter)
    # A member of no community, she looks after her mother: her tab leads to her mother's needs.
    assert daughter_phone.locator(".tabbar a[href='/needs/']").count() == 1

    desk.goto(f"{base}/claims/queue/")
    for claim in (first, second):
        desk.click(f"form[action='/claims/{claim.pk}/verify/'] button[type=submit]")
    assert set(Claim.objects.filter(task=task).values_list("status", "hours")) == {("verified", Decimal("1.5"))}  # what each submitted

    daughter_phone.goto(f"{base}/notifications/")
    daughter_phone.click(f"main a[href='/claims/{first.pk}/rate/']")  # "verified: tap to rate it for them"
    look(daughter_phone, "guardian-rate")
    daughter_phone.fill("#rate-comment", "小丽很细心，谢谢")
    daughter_phone.click("label.star-option:has(input[value='5'])")  # a tap picks the stars (#28) ...
    daughter_phone.click("button.rate-send")  # ... and sending is its own step
    look(daughter_phone, "guardian-rated")
    review = Review.objects.get(claim=first)
    assert (review.author, review.entered_by, review.stars) == (elder, daughter, 5)
    assert look.problems == [], look.problems

"""#28 in a real browser: a volunteer checks out six minutes into a service and submits the 0.10 h
measured, on a phone, in Chinese and in English (the hours field takes it); the person served cannot
confirm before the start, then says it did not happen; staff settle the dispute on a desktop with
a reason and the hours they record, and the dashboard and the public information page show those
recorded hours. Every page is photographed (test-artifacts/hours-<lang>-<step>.png), must fit its
screen and pass the axe-core gate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.test_journeys import CHROMIUM, browser, footer_hidden_by_tabbar, log_in, new_page, shot, world  # noqa: F401 (fixtures)
from tests.browser.test_phone_journeys import Gate

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]

LOCALES = {"zh": "zh-CN", "en": "en-US"}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_0_10_hours_submitted_on_a_phone_disputed_by_the_person_served_and_settled_by_staff(browser, live_server, world, lang):
    from orders.models import Claim
    from tests.factories import MembershipFactory

    base, community, task = live_server.url, world["community"], world["task"]
    MembershipFactory(community=community, role="volunteer", user__username="xiaoyu", user__display_name="赵小雨")
    look = Gate(lang, "hours")

    me = new_page(browser, locale=LOCALES[lang])
    log_in(me, base, "xiaoyu", world["password"])
    me.goto(f"{base}/tasks/{task.pk}/")
    me.click("#my-claim form[action$='/claim/'] button[type=submit]")
    look(me, "claimed")
    claim = Claim.objects.get(task=task, user__username="xiaoyu")
    assert me.locator(".confirmation.awaiting").count() == 0  # nobody was asked anything yet

    desk = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(desk, base, "staff_wang", world["password"])
    desk.goto(f"{base}/tasks/{task.pk}/")
    code = desk.inner_text(".checkin .code").strip()
    me.fill("#checkin-code", code)
    me.click("#my-claim button[type=submit]")
    look(me, "checked-in")

    # Before the start, the person served cannot say anything yet.
    elder = new_page(browser, locale=LOCALES[lang])
    log_in(elder, base, "resident_zhang", world["password"])
    elder.goto(f"{base}/claims/{claim.pk}/confirm/")
    look(elder, "too-early")
    assert elder.locator("[data-too-early]").count() == 1 and elder.locator("button[name=answer]").count() == 0

    # Six minutes into the service the volunteer checks out: 0.10 h measured, submitted as it is.
    start = timezone.now() - timedelta(minutes=6)
    type(task).objects.filter(pk=task.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    Claim.objects.filter(pk=claim.pk).update(checked_in_at=start - timedelta(minutes=2))  # she was there on time
    me.fill("#checkout-code", code)
    me.click("#my-claim button[type=submit]")
    look(me, "checked-out")
    assert me.input_value("#hours") == "0.10"
    me.click("#my-claim form[action$='/submit/'] button[type=submit]")
    me.wait_for_selector("#my-claim .confirmation.awaiting")
    look(me, "submitted")
    claim.refresh_from_db()
    assert (claim.status, claim.submitted_hours) == ("submitted", Decimal("0.10"))

    # The person served says it did not happen, with a word for staff.
    elder.goto(f"{base}/claims/{claim.pk}/confirm/")
    look(elder, "answer")
    assert elder.locator("button[name=answer][value=done]").count() == 1
    elder.fill("#confirm-comment", "只来了几分钟")
    elder.click("button[name=answer][value=not_done]")
    elder.wait_for_selector("[data-answer=not_done]")
    look(elder, "said-not-done")
    assert Claim.objects.get(pk=claim.pk).is_disputed

    # Staff see it in the queue as disputed and flagged, settle it with a reason and record 0.50 h.
    desk.goto(f"{base}/claims/queue/")
    look(desk, "queue")
    row = desk.locator(f"tr:has(#claim-{claim.pk})")
    assert row.locator("[data-flag=disputed]").count() == 1 and "只来了几分钟" in row.inner_text()
    assert row.locator("td.waited time").count() == 1
    row.locator(f"#hours-{claim.pk}").fill("0.50")
    row.locator(f"#settle-{claim.pk}").fill("电话核实：服务半小时，老人只记得开头")
    row.locator(f"form[action='/claims/{claim.pk}/verify/'] button[type=submit]").click()
    desk.wait_for_load_state()
    claim.refresh_from_db()
    assert (claim.status, claim.hours, claim.credited_hours) == ("verified", Decimal("0.50"), Decimal("0.10"))

    # The dashboard and the public page count the recorded 0.50 h, not the 0.10 measured.
    desk.goto(f"{base}/communities/{community.pk}/dashboard/")
    look(desk, "dashboard")
    assert "0.50" in desk.inner_text(".headline") and "0.10" not in desk.inner_text("main")
    me.goto(f"{base}/communities/{community.pk}/info/")
    look(me, "public-information")
    assert me.get_attribute("#service [data-hours]", "data-hours") == "0.50"
    assert look.problems == [], look.problems

"""Issue #17 in a real browser at 1366×900: staff open the workbench, see what waits, bulk-verify
three submitted claims (hours recorded as claimed, points paid once), triage a need from its
page and open the dashboard; axe-core finds nothing serious on these pages in either language.
Screenshots go to test-artifacts/workbench-*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from marketplace.services import TaskFields, task_checkin_code, task_create
from orders.services import claim_check_in, claim_check_out, claim_create, claim_submit
from tests.browser.test_journeys import CHROMIUM, browser, log_in, new_page, shot  # noqa: F401 (fixture)

DESKTOP = {"width": 1366, "height": 900}

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def desk():
    from accounts.models import Membership
    from marketplace.services import need_submit
    from points.services import points_budget
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff_wang", user__display_name="王晓梅").user
    resident = MembershipFactory(community=community, role="resident", user__username="resident_zhang", user__display_name="张桂兰").user
    points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    task = task_create(
        actor=staff, community=community,
        fields=TaskFields(title="社区环境清洁日", description="", category="environment", starts_at=start, ends_at=start + timedelta(hours=2),
                          location="中心广场", slots=3, points=15, skills=[], beneficiary=None),
    )
    volunteers = [MembershipFactory(community=community, role="volunteer", user__display_name=name).user for name in ["陈玉芬", "黄志强", "杨丽"]]
    claims = [claim_create(actor=v, task=task) for v in volunteers]
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        for claim in claims:
            claim_check_in(actor=claim.user, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        for i, claim in enumerate(claims):
            claim_check_out(actor=claim.user, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
            claim_submit(actor=claim.user, claim=claim, hours="1.5", note=f"清理了第 {i + 1} 片绿化带")
    need = need_submit(actor=resident, community=community, title="小区路灯不亮", urgency=3)
    return {"community": community, "claims": claims, "need": need, "password": PASSWORD}


def test_staff_work_through_the_workbench_at_a_desk(browser, live_server, desk):  # noqa: F811
    from orders.models import Claim
    from points.models import LedgerTransaction

    base, community = live_server.url, desk["community"]
    page = new_page(browser, viewport=DESKTOP)
    log_in(page, base, "staff_wang", desk["password"])
    page.goto(f"{base}/")
    assert page.url.endswith(f"/communities/{community.pk}/workbench/")
    assert "待审核的接单" in page.inner_text("main") and "小区路灯不亮" in page.inner_text("main")
    shot(page, "workbench-1-inbox")

    page.click("#claims a.button")
    assert "清理了第 1 片绿化带" in page.inner_text("main")
    # The select-all box works through a deferred script: tick it once the page has loaded (the
    # main text can be there before, and a tick then selected nothing on a loaded CI machine).
    page.wait_for_load_state("load")
    page.check("#select-all")
    assert page.locator("input[name=claim]:checked").count() == 3
    shot(page, "workbench-2-queue")
    page.click("#bulk-verify button[type=submit]")
    assert "3 条接单已审核通过" in page.inner_text("main")
    shot(page, "workbench-3-verified")
    verified = Claim.objects.filter(pk__in=[c.pk for c in desk["claims"]])
    assert {(c.status, c.hours, c.points_awarded) for c in verified} == {("verified", Decimal("1.50"), 15)}
    assert LedgerTransaction.objects.filter(kind="award").count() == 3  # paid once each

    page.goto(f"{base}/communities/{community.pk}/workbench/")
    page.click("text=小区路灯不亮")
    page.select_option("#triage_track", "major")
    page.fill("#triage_reply", "已转交街道市政所，三天内维修")
    page.fill("#triage_department", "郭家沱街道市政所")
    shot(page, "workbench-4-need")
    page.click("aside button:has-text('保存分流')")
    desk["need"].refresh_from_db()
    assert (desk["need"].status, desk["need"].track) == ("triaged", "major")
    shot(page, "workbench-5-triaged")

    page.goto(f"{base}/communities/{community.pk}/dashboard/")
    assert page.locator("figure.chart svg").count() == 6
    shot(page, "workbench-6-dashboard")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_workbench_pages_pass_the_accessibility_gate(browser, live_server, desk, locale):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    community = desk["community"]
    page = new_page(browser, locale=locale, viewport=DESKTOP)
    log_in(page, live_server.url, "staff_wang", desk["password"])
    problems = []
    for path in (f"/communities/{community.pk}/workbench/", f"/claims/queue/?community={community.pk}", f"/needs/{desk['need'].pk}/",
                 f"/communities/{community.pk}/", f"/communities/{community.pk}/dashboard/"):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        violations = Axe().run(page).response["violations"]
        problems += [(path, v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    shot(page, f"workbench-axe-{locale}")
    assert problems == []


def test_staff_pick_the_beneficiary_by_name_and_see_every_error_at_once(browser, live_server, desk):  # noqa: F811
    """No typed username: the picker lists residents as staff type part of a phone number; a form
    with three mistakes shows all three, keeping what was typed and whom was picked."""
    from axe_playwright_python.sync_playwright import Axe

    from marketplace.models import Task

    base, community = live_server.url, desk["community"]
    resident = desk["need"].author
    resident.phone = "13512348866"
    resident.save(update_fields=["phone"])
    page = new_page(browser, viewport=DESKTOP)
    log_in(page, base, "staff_wang", desk["password"])
    page.goto(f"{base}/tasks/new/{community.pk}/")
    page.fill("#id_title", "陪同就医")
    page.fill("#id_starts_at", "2030-03-01T09:00")
    page.fill("#id_ends_at", "2030-03-01T08:00")  # before the start
    page.fill("#id_location", "")  # forgotten
    page.fill("#id_slots", "0")
    page.type("#id_beneficiary", "8866", delay=30)
    page.wait_for_selector(".picker-list [role=option]")
    assert page.inner_text(".picker-list") == "张桂兰 · 135****8866"
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    shot(page, "workbench-7-picker")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("input[name=beneficiary_id]") == str(resident.pk)
    page.click("main form button[type=submit]")
    errors = page.locator(".field.has-error").count()
    assert errors == 3, page.inner_text("main")  # ends_at, location, slots: all at once
    assert page.locator(".error-summary li").all_inner_texts() == ["结束时间", "地点", "名额"]
    assert page.input_value("#id_beneficiary") == "张桂兰 · 135****8866" and page.input_value("#id_title") == "陪同就医"
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    shot(page, "workbench-8-all-errors")
    page.fill("#id_ends_at", "2030-03-01T11:00")
    page.fill("#id_location", "区人民医院")
    page.fill("#id_slots", "1")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/tasks/*/")
    assert Task.objects.get(title="陪同就医").beneficiary == resident

"""#32 in a real browser: staff run the 文明养犬 meeting from agenda to minutes on a desktop; a steward
votes on her phone; a resident signs the convention in 长辈模式; a conduct award is proposed, approved
by another staff member, and shows in the resident's points with its reason. In Chinese and English;
phone pages are photographed (test-artifacts/phone-<lang>-NN-deliberation-*.png), must not scroll
sideways and pass the axe gate; desktop pages (deliberation-<lang>-desk-*.png) pass axe too."""

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
def luoqisi():
    from accounts.models import Membership
    from deliberation import services
    from points.services import points_budget
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    community = CommunityFactory(name="锣旗寺社区", households=1700)
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="wang", user__display_name="王晓梅").user
    director = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="he", user__display_name="何主任").user
    resident = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="zhang", user__display_name="张桂兰").user
    stewards = [
        MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username=f"gj{i}", user__display_name=name).user
        for i, name in enumerate(["陈秀英", "王建平", "李淑芬"])
    ]
    for steward in stewards:
        services.steward_appoint(actor=staff, community=community, user_id=steward.pk)
    issue = services.issue_collect(actor=stewards[0], community=community, title="文明养犬", text="遛狗不拴绳、狗粪不清理。", category="rules")
    points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    return {"community": community, "staff": staff, "director": director, "resident": resident, "stewards": stewards, "issue": issue,
            "password": PASSWORD}


def desk_gate(lang: str):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []

    def look(page, name):
        shot(page, f"deliberation-{lang}-desk-{name}")
        problems.extend((name, v["id"], v["impact"]) for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical"))

    look.problems = problems
    return look


def open_details(page, inner: str) -> None:
    page.click(f"details:has({inner}) > summary")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dog_meeting_from_agenda_to_minutes_a_phone_vote_a_signature_and_a_conduct_award(browser, live_server, luoqisi, lang):  # noqa: F811
    from deliberation.models import ConductAward, Meeting, Motion

    base, password, community = live_server.url, luoqisi["password"], luoqisi["community"]
    look, desk = Gate(lang), desk_gate(lang)
    c = community.pk

    # Staff call the meeting with the issue a steward collected, on a desktop.
    staff = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(staff, base, "wang", password)
    staff.goto(f"{base}/deliberation/communities/{c}/")
    assert "1700" in staff.inner_text("main")  # the 6 % target is shown with the households
    desk(staff, "community")
    open_details(staff, "#m-title")
    staff.fill("#m-title", "第三季度百姓管家议事会")
    staff.fill("#m-starts", "2026-12-20T19:30")
    staff.fill("#m-location", "党群服务中心二楼会议室")
    staff.check(f"input[name=issues][value='{luoqisi['issue'].pk}']")
    staff.click("form[action$='/meetings/'] button[type=submit]")
    meeting = Meeting.objects.get(community=community)
    open_details(staff, "input[name=present]")
    for steward in luoqisi["stewards"]:
        staff.check(f"input[name=present][value='{steward.pk}']")
    staff.click("form[action$='/attendance/'] button[type=submit]")
    open_details(staff, "#mo-title")
    staff.fill("#mo-title", "通过《文明养犬公约》")
    staff.fill("#mo-text", "一、遛狗牵绳。二、及时清理狗粪。")
    staff.select_option("#mo-issue", str(luoqisi["issue"].pk))
    staff.click("form[action$='/motions/'] button[type=submit]")
    motion = Motion.objects.get(meeting=meeting)
    desk(staff, "motion-put")

    # A steward reads the agenda on her phone and votes.
    steward = new_page(browser, locale=LOCALES[lang])
    log_in(steward, base, "gj0", password)
    steward.goto(f"{base}/deliberation/meetings/{meeting.pk}/")
    assert "文明养犬" in steward.inner_text("main")
    look(steward, "deliberation-agenda")
    steward.click("form.vote-buttons button[value=for]")
    look(steward, "deliberation-voted")
    assert motion.votes.get().user == luoqisi["stewards"][0]

    # Staff record the two others' show of hands, close and count, publish the convention and the minutes.
    for person, vote in ((luoqisi["stewards"][1], "for"), (luoqisi["stewards"][2], "against")):
        open_details(staff, f"#hands-{motion.pk}")
        staff.select_option(f"#hands-{motion.pk}", str(person.pk))
        staff.check(f"form:has(#hands-{motion.pk}) input[name=vote][value={vote}]")
        staff.click(f"form:has(#hands-{motion.pk}) button[type=submit]")
    staff.click("form[action$='/close/'] button[type=submit]")
    assert ("通过：赞成 2，反对 1，弃权 0。" if lang == "zh" else "Passed: 2 for, 1 against, 0 abstaining.") in staff.inner_text("main")
    desk(staff, "counted")
    open_details(staff, f"#c-title-{motion.pk}")
    staff.click("form[action$='/convention/'] button[type=submit]")
    convention = Motion.objects.get(pk=motion.pk).convention
    staff.goto(f"{base}/deliberation/meetings/{meeting.pk}/")
    staff.fill("#minutes-text", "会议通过《文明养犬公约》，赞成 2 票，反对 1 票。")
    staff.click("form[action$='/minutes/'] button[type=submit]")
    desk(staff, "minutes")
    assert Meeting.objects.get(pk=meeting.pk).status == "published"

    # 张桂兰 signs the convention in 长辈模式 on her phone.
    zhang = new_page(browser, locale=LOCALES[lang])
    zhang.context.add_cookies([{"name": "large_text", "value": "1", "url": base}])
    log_in(zhang, base, "zhang", password)
    zhang.goto(f"{base}/deliberation/")
    zhang.click(f"main a[href='/deliberation/conventions/{convention.pk}/']")
    look(zhang, "deliberation-convention-large")
    zhang.click("form[action$='/sign/'] button[type=submit]")
    assert ("1 位邻居已签署" if lang == "zh" else "1 neighbour signed") in zhang.inner_text("main")
    look(zhang, "deliberation-signed-large")

    # Staff write a rule from the convention and propose an award with a photo; 何主任 approves it.
    staff.goto(f"{base}/deliberation/communities/{c}/conduct/")
    open_details(staff, "#r-title")
    staff.fill("#r-title", "文明养犬")
    staff.fill("#r-points", "10")
    staff.select_option("#r-convention", str(convention.pk))
    staff.click("form[action$='/rules/'] button[type=submit]")
    staff.select_option("#a-user", str(luoqisi["resident"].pk))
    staff.fill("#a-evidence", "每天遛狗牵绳，随手清理狗粪。")
    staff.set_input_files("#a-photo", files=[{"name": "遛狗.png", "mimeType": "image/png", "buffer": PNG}])
    staff.click("form[action$='/conduct/awards/'] button[type=submit]")
    award = ConductAward.objects.get()
    assert f"/deliberation/conduct-awards/{award.pk}/approve/" not in staff.content()  # the proposer cannot approve
    desk(staff, "proposed")
    director = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(director, base, "he", password)
    director.goto(f"{base}/deliberation/communities/{c}/conduct/")
    director.click(f"form[action$='/conduct-awards/{award.pk}/approve/'] button[type=submit]")
    desk(director, "approved")
    assert ConductAward.objects.get().status == "approved"

    # 张桂兰 sees the points and why she got them.
    zhang.goto(f"{base}/points/")
    look(zhang, "deliberation-points-large")
    assert ("文明行为：文明养犬" if lang == "zh" else "Conduct: 文明养犬") in zhang.inner_text("main")
    assert look.problems == [] and desk.problems == [], (look.problems, desk.problems)

"""#34 on a phone, in Chinese (in 长辈模式, the elder mode) and in English: a resident votes, staff
enter a paper ballot at the desk and close, everyone reads the results; a volunteer of 锣旗寺社区
redeems in 东原社区's supermarket with points earned at home.

On a desktop (1280 px): staff's paper-ballot desk and the results (budgets-desk-*), the district
admin's alliances page with a refusal and a success, a street's budget, and a member of a verified
organisation proposing as the organisation (also on a phone: districts-*).

Every page is photographed (test-artifacts/budgets-<lang>-<step>.png), must not scroll sideways at
390 px (or 1280 px on the desktop) and must pass the axe-core gate (no serious or critical violation)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_journeys import CHROMIUM, browser, log_in, new_page  # noqa: F401 (fixtures)
from tests.browser.test_phone_journeys import Gate

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]

LOCALES = {"zh": "zh-CN", "en": "en-US"}
DESKTOP = {"width": 1280, "height": 900}


def phone(browser, base, lang):
    page = new_page(browser, locale=LOCALES[lang])
    if lang == "zh":  # the elder mode, as an elderly resident would have it
        page.context.add_cookies([{"name": "large_text", "value": "1", "url": base}])
    return page


@pytest.fixture
def budget_world():
    from accounts.models import Membership
    from budgets import services
    from budgets.models import Budget
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff_wang", user__display_name="王晓梅").user
    zhang = MembershipFactory(community=community, role="resident", user__username="resident_zhang", user__display_name="张桂兰").user
    MembershipFactory(community=community, role="resident", user__username="resident_li", user__display_name="李大爷")
    now = timezone.now()
    budget = services.budget_create(actor=staff, community=community, title="2026 年民生实事项目", amount=50_000_00, max_choices=2,
                                    voting_opens=now + timedelta(days=1), voting_closes=now + timedelta(days=14))
    for title, cost in (("老旧小区加装扶手和坡道", 18_000), ("社区老年食堂助餐点", 22_000), ("儿童四点半课堂", 9_000)):
        proposal = services.proposal_create(actor=zhang, budget=budget, title=title, text=f"{title}，方便居民。", cost=cost * 100)
        services.proposal_review(actor=staff, proposal=proposal, feasible=True, reason="可行。")
    refused = services.proposal_create(actor=zhang, budget=budget, title="修建地下停车场", text="中心花园下", cost=48_000_00)
    services.proposal_review(actor=staff, proposal=refused, feasible=False, reason="投资远超本次额度，且需规划审批。")
    Budget.objects.filter(pk=budget.pk).update(voting_opens=now - timedelta(hours=1))
    return {"budget": budget, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_votes_staff_enter_a_paper_ballot_and_close_and_the_results_show_every_count(browser, live_server, budget_world, lang):
    base, look, budget = live_server.url, Gate(lang, "budgets"), budget_world["budget"]
    me = phone(browser, base, lang)
    log_in(me, base, "resident_zhang", budget_world["password"])
    me.goto(f"{base}/budgets/")
    look(me, "list")
    me.click(f"a[href='/budgets/{budget.pk}/']")
    look(me, "ballot")
    me.check("#ballot-form label:has-text('老旧小区加装扶手和坡道') input")
    me.check("#ballot-form label:has-text('儿童四点半课堂') input")
    me.click("#ballot-form button[type=submit]")
    look(me, "voted")
    assert me.locator("#vote .success").count() == 1

    staff = phone(browser, base, lang)
    log_in(staff, base, "staff_wang", budget_world["password"])
    staff.goto(f"{base}/budgets/{budget.pk}/paper/")
    look(staff, "paper-desk")
    assert "张桂兰" not in staff.inner_text("#voter")  # she voted online: not offered again
    staff.select_option("#voter", label="李大爷 (resident_li)")
    staff.check("#paper-form label:has-text('社区老年食堂助餐点') input")
    staff.check("#paper-form label:has-text('老旧小区加装扶手和坡道') input")
    staff.click("#paper-form button[type=submit]")
    look(staff, "paper-entered")
    staff.goto(f"{base}/budgets/{budget.pk}/")
    staff.click("#manage form[action$='/close/'] button")
    look(staff, "closed")

    anyone = phone(browser, base, lang)
    anyone.goto(f"{base}/budgets/{budget.pk}/")
    look(anyone, "results")
    results = anyone.inner_text("#results")
    assert ("2 people voted: 1 online and 1 on paper" in results) if lang == "en" else ("共 2 人投票：线上 1 人，纸质 1 人" in results)
    rows = anyone.eval_on_selector_all("#results-table tbody tr", "rows => rows.map(r => r.innerText)")
    assert "老旧小区加装扶手和坡道" in rows[0] and "投资远超本次额度" in rows[-1]
    assert look.problems == []


@pytest.fixture
def alliance_world():
    from accounts.models import Membership
    from points import services
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    home, other = CommunityFactory(name="锣旗寺社区"), CommunityFactory(name="东原社区")
    admin = UserFactory(is_superuser=True, is_staff=True)
    volunteer = MembershipFactory(community=home, role=Membership.Role.VOLUNTEER, user__username="volunteer_li", user__display_name="李建国").user
    other_staff = MembershipFactory(community=other, role=Membership.Role.STAFF, user__username="staff_zhou", user__display_name="周敏").user
    services.points_budget(actor=admin, community=home, amount=1_000)
    services.points_award(actor=None, community=home, user=volunteer, amount=100, idempotency_key="journey:li")
    services.alliance_create(actor=admin, community_ids=[home.pk, other.pk])
    services.reward_create(actor=other_staff, community=other, name="社区理发券", cost=30, stock=40, description="东原社区爱心理发店，凭券理发一次。")
    return {"other": other, "volunteer": volunteer, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_volunteer_redeems_in_the_allied_community_and_staff_see_who_owes_whom(browser, live_server, alliance_world, lang):
    from points.models import Alliance
    from points.selectors import person_balance

    base, look, other = live_server.url, Gate(lang, "alliance"), alliance_world["other"]
    me = phone(browser, base, lang)
    log_in(me, base, "volunteer_li", alliance_world["password"])
    me.goto(f"{base}/communities/{other.pk}/rewards/")
    look(me, "supermarket")
    assert me.locator("#alliance").count() == 1
    me.click("form.redeem button[type=submit]")
    look(me, "confirm")
    me.click("main form[method=post] button[type=submit]")
    look(me, "reserved")
    assert person_balance(alliance_world["volunteer"]) == 70

    staff = phone(browser, base, lang)
    log_in(staff, base, "staff_zhou", alliance_world["password"])
    staff.goto(f"{base}/points/alliances/{Alliance.objects.get().pk}/")
    look(staff, "who-owes-whom")
    assert "30" in staff.inner_text("#alliance-balances")
    assert look.problems == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_desktop_staff_enter_a_paper_ballot_close_and_read_the_results(browser, live_server, budget_world, lang):
    base, look, budget = live_server.url, Gate(lang, "budgets-desk"), budget_world["budget"]
    desk = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(desk, base, "staff_wang", budget_world["password"])
    desk.goto(f"{base}/budgets/{budget.pk}/paper/")
    look(desk, "paper-desk")
    desk.select_option("#voter", label="张桂兰 (resident_zhang)")
    desk.check("#paper-form label:has-text('社区老年食堂助餐点') input")
    desk.click("#paper-form button[type=submit]")
    look(desk, "paper-entered")
    assert "张桂兰" not in desk.inner_text("#voter")  # entered once: not offered again
    desk.goto(f"{base}/budgets/{budget.pk}/")
    desk.click("#manage form[action$='/close/'] button")
    look(desk, "results")
    results = desk.inner_text("#results")
    assert ("1 people voted: 0 online and 1 on paper" in results) if lang == "en" else ("纸质 1 人" in results)
    assert "社区老年食堂助餐点" in desk.eval_on_selector_all("#results-table tbody tr", "rows => rows.map(r => r.innerText)")[0]
    assert look.problems == []


@pytest.fixture
def district_world():
    from accounts.models import Membership, OrganizationMember
    from budgets import services
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory, UserFactory

    home, other = CommunityFactory(name="锣旗寺社区"), CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=home, role=Membership.Role.STAFF, user__username="staff_wang", user__display_name="王晓梅").user
    UserFactory(username="district_admin", display_name="区民政局", is_superuser=True, is_staff=True)
    organisation = OrganizationFactory(community=home, name="重庆暖洋洋社会工作服务中心")
    OrganizationMemberFactory(organization=organisation, role=OrganizationMember.Role.ADMIN, user__username="org_chen", user__display_name="陈社工")
    now = timezone.now()
    budget = services.budget_create(actor=staff, community=home, title="2027 年民生实事项目", amount=50_000_00,
                                    voting_opens=now + timedelta(days=7), voting_closes=now + timedelta(days=14))
    return {"home": home, "other": other, "budget": budget, "organisation": organisation, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_district_allies_communities_opens_a_streets_budget_and_an_organisation_proposes(browser, live_server, district_world, lang):
    from budgets.models import Budget, Proposal
    from points.models import Alliance

    base, look, w = live_server.url, Gate(lang, "districts"), district_world
    admin = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(admin, base, "district_admin", w["password"])
    admin.goto(f"{base}/points/alliances/")
    look(admin, "desk-alliances")
    admin.check(f"#alliance-new input[value='{w['home'].pk}']")
    admin.click("#alliance-new button[type=submit]")
    look(admin, "desk-alliance-refused")  # one community alone: the refusal in the form, the tick kept
    assert admin.locator("#alliance-error").count() == 1 and Alliance.objects.count() == 0
    admin.check(f"#alliance-new input[value='{w['other'].pk}']")
    admin.click("#alliance-new button[type=submit]")
    look(admin, "desk-balances")
    assert admin.locator("#alliance-balances").count() == 1 and Alliance.objects.count() == 1

    admin.goto(f"{base}/budgets/new/{w['home'].pk}/")
    admin.click("#offer-street a")
    look(admin, "desk-street-budget")
    admin.fill("#b-title", "郭家沱街道民生实事")
    admin.fill("#b-amount", "200000")
    admin.click("main form button[type=submit]")
    look(admin, "desk-street-budget-opened")
    assert Budget.objects.filter(street_id=w["home"].street_id, community=None).count() == 1

    phone_admin = phone(browser, base, lang)
    log_in(phone_admin, base, "district_admin", w["password"])
    phone_admin.goto(f"{base}/points/alliances/")
    look(phone_admin, "alliances")
    phone_admin.goto(f"{base}/budgets/new/street/{w['home'].street_id}/")
    look(phone_admin, "street-budget")

    member = phone(browser, base, lang)
    log_in(member, base, "org_chen", w["password"])
    member.goto(f"{base}/budgets/{w['budget'].pk}/")
    member.fill("#p-title", "长者助餐点")
    member.fill("#p-text", "每天为 80 岁以上老人提供午餐。")
    member.fill("#p-cost", "12000")
    member.check(f"#propose-as input[value='{w['organisation'].pk}']")
    look(member, "propose-as-organisation")
    member.click("#propose button[type=submit]")
    look(member, "proposed")
    assert Proposal.objects.get().organization_id == w["organisation"].pk
    assert "重庆暖洋洋社会工作服务中心" in member.inner_text(f"#proposal-{Proposal.objects.get().pk}")
    assert look.problems == []

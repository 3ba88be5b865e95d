"""#33 in a real browser: the choir's leader books a room on her phone and staff approve it; staff
hand a room over on a desktop and the week view shows the blocked hours; staff find a 绘本 talent
and invite her to a task, and she reads the invitation on her phone. In Chinese and in English; every
page is photographed (test-artifacts/phone-<lang>-NN-resources-*.png and desk-<lang>-NN-resources-*.png),
must not scroll sideways and must pass the axe gate."""

from datetime import timedelta

import pytest

from tests.browser.test_journeys import CHROMIUM, browser, log_in, new_page  # noqa: F401 (fixture)
from tests.browser.test_phone_journeys import LOCALES, Gate

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def dongyuan():
    from django.utils import timezone

    from accounts.models import Membership, Organization, OrganizationMember
    from marketplace.services import TaskFields, task_create
    from resources import services
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory

    community = CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="dongyuan_staff", user__display_name="周敏").user
    leader = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="choir_leader", user__display_name="周老师").user
    choir = OrganizationFactory(community=community, name="东原社区合唱团", kind=Organization.Kind.COMMUNITY_GROUP)
    OrganizationMemberFactory(organization=choir, user=leader, role=OrganizationMember.Role.ADMIN)
    club = OrganizationFactory(community=community, name="东原摄影社", kind=Organization.Kind.COMMUNITY_GROUP)
    liu = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="liu_laoshi", user__display_name="刘老师").user
    services.talent_list_me(actor=liu, fields=["绘本", "英语伴读"], bio="退休小学语文老师，擅长绘本共读。", community=community)
    hall = services.venue_create(actor=staff, community=community, name="原聚场·多功能厅", capacity=60, open_hours_text="08:30-21:30")
    start = (timezone.localtime() + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)
    task = task_create(actor=staff, community=community, fields=TaskFields(
        title="亲子绘本共读", description="周末亲子阅读", category="culture", starts_at=start, ends_at=start + timedelta(hours=2),
        location="原聚场·亲子活动室", slots=2, points=10, skills=[], beneficiary=None))
    return {"community": community, "hall": hall, "choir": choir, "club": club, "task": task, "liu": liu, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_leader_books_staff_hand_over_and_invite_a_picture_book_talent(browser, live_server, dongyuan, lang):  # noqa: F811
    from django.utils import timezone

    from resources.models import Booking, Handover, TalentInvitation

    base, password, hall = live_server.url, dongyuan["password"], dongyuan["hall"]
    phone, desk = Gate(lang), Gate(lang, prefix="desk")
    day = timezone.localdate() + timedelta(days=3)

    # The choir's leader opens the hall's week on her phone and asks for an evening rehearsal.
    leader = new_page(browser, locale=LOCALES[lang])
    log_in(leader, base, "choir_leader", password)
    leader.goto(f"{base}/resources/venues/")
    phone(leader, "resources-rooms")
    leader.click(f"a[href='/resources/venues/{hall.pk}/']")
    phone(leader, "resources-week")
    leader.fill("#book-day", day.isoformat())
    leader.fill("#book-starts", "19:00")
    leader.fill("#book-ends", "21:00")
    leader.fill("#book-purpose", "合唱排练")
    leader.fill("#book-attendees", "24")
    leader.select_option("#book-org", str(dongyuan["choir"].pk))
    leader.click("#book button[type=submit]")
    booking = Booking.objects.get(venue=hall)
    assert booking.status == "requested"
    phone(leader, "resources-requested")

    # Staff approve it from their rooms page on a desktop.
    staff = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(staff, base, "dongyuan_staff", password)
    staff.goto(f"{base}/resources/manage/{dongyuan['community'].pk}/")
    assert "合唱排练" in staff.inner_text("#requests")
    desk(staff, "resources-manage")
    staff.click(f"form[action='/resources/bookings/{booking.pk}/approve/'] button")
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    # The leader is told and sees it confirmed.
    leader.goto(f"{base}/notifications/")
    assert "原聚场·多功能厅" in leader.inner_text("main")
    leader.goto(f"{base}/resources/bookings/{booking.pk}/")
    assert ("已确认" if lang == "zh" else "Confirmed") in leader.inner_text("main")
    phone(leader, "resources-confirmed")

    # Staff hand the hall over to the photography club every week on a desktop; the week shows it.
    staff.goto(f"{base}/resources/venues/{hall.pk}/")
    staff.select_option("#ho-org", str(dongyuan["club"].pk))
    staff.select_option("#ho-weekday", str(day.isoweekday()))
    staff.fill("#ho-starts", "14:00")
    staff.fill("#ho-ends", "17:00")
    staff.fill("#ho-from", day.isoformat())
    staff.fill("#ho-until", (day + timedelta(days=90)).isoformat())
    staff.click("form[action$='/handovers/'] button[type=submit]")
    assert Handover.objects.filter(venue=hall).count() == 1
    week = staff.inner_text(".week")
    assert "14:00–17:00" in week and "东原摄影社" in week and "19:00–21:00" in week
    desk(staff, "resources-handed-over")

    # Staff look for a 绘本 talent and invite her to the picture-book task.
    staff.goto(f"{base}/resources/talents/?field=绘本")
    assert "刘老师" in staff.inner_text("main")
    desk(staff, "resources-talents")
    liu = dongyuan["liu"]
    staff.select_option(f"#invite-task-{liu.pk}", str(dongyuan["task"].pk))
    staff.fill(f"#invite-note-{liu.pk}", "欢迎来讲绘本")
    staff.click(f"#talent-{liu.pk} button[type=submit]")
    assert TalentInvitation.objects.filter(talent__user=liu, task=dongyuan["task"]).exists()

    # 刘老师 reads the invitation on her phone.
    her = new_page(browser, locale=LOCALES[lang])
    log_in(her, base, "liu_laoshi", password)
    her.goto(f"{base}/notifications/")
    assert "亲子绘本共读" in her.inner_text("main")
    phone(her, "resources-invited")
    assert phone.problems == [] and desk.problems == [], (phone.problems, desk.problems)

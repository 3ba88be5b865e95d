"""#33's gaps in a real browser: the choir's leader proposes an activity on her phone, staff approve it
on a desktop and it is on the board, she is told; staff post a task held in a room from the room's
page. In Chinese and in English; pages photographed (test-artifacts/phone-<lang>-NN-activity-*.png,
desk-<lang>-NN-activity-*.png), none scrolls sideways, axe clean."""

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
def choir_world():
    from accounts.models import Membership, Organization, OrganizationMember
    from resources import services
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, OrganizationFactory, OrganizationMemberFactory

    community = CommunityFactory(name="东原社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="dongyuan_staff", user__display_name="周敏").user
    leader = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="choir_leader", user__display_name="周老师").user
    choir = OrganizationFactory(community=community, name="东原社区合唱团", kind=Organization.Kind.COMMUNITY_GROUP)
    OrganizationMemberFactory(organization=choir, user=leader, role=OrganizationMember.Role.ADMIN)
    services.group_file(actor=staff, organization=choir, leader=leader, note="街道备案")
    hall = services.venue_create(actor=staff, community=community, name="原聚场·多功能厅", capacity=60, open_hours_text="08:30-21:30")
    return {"community": community, "choir": choir, "hall": hall, "password": PASSWORD}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_leader_proposes_an_activity_staff_approve_it_and_post_a_task_in_a_room(browser, live_server, choir_world, lang):  # noqa: F811
    from django.utils import timezone

    from marketplace.models import Task
    from resources.models import Booking, GroupActivity

    base, password, choir, hall = live_server.url, choir_world["password"], choir_world["choir"], choir_world["hall"]
    phone, desk = Gate(lang), Gate(lang, prefix="desk")
    day = timezone.localdate() + timedelta(days=4)

    # The leader proposes a flash-mob concert on the group's page, on her phone.
    leader = new_page(browser, locale=LOCALES[lang])
    log_in(leader, base, "choir_leader", password)
    leader.goto(f"{base}/resources/groups/{choir.pk}/")
    leader.fill("#act-title", "合唱快闪")
    leader.select_option("#act-category", "culture")
    leader.fill("#act-day", day.isoformat())
    leader.fill("#act-starts", "15:00")
    leader.fill("#act-ends", "16:30")
    leader.fill("#act-location", "原聚场广场")
    leader.fill("#act-slots", "4")
    phone(leader, "activity-propose")
    leader.click("#activities button[type=submit]")
    activity = GroupActivity.objects.get()
    assert activity.status == "pending" and "合唱快闪" in leader.inner_text("#activities")
    phone(leader, "activity-pending")

    # Staff approve it from their rooms page on a desktop.
    staff = new_page(browser, locale=LOCALES[lang], viewport=DESKTOP)
    log_in(staff, base, "dongyuan_staff", password)
    staff.goto(f"{base}/resources/manage/{choir_world['community'].pk}/")
    assert "合唱快闪" in staff.inner_text("#activities")
    desk(staff, "activity-to-approve")
    staff.click(f"form[action='/resources/activities/{activity.pk}/approve/'] button")
    activity.refresh_from_db()
    assert activity.status == "approved" and activity.task.status == "open"

    # She is told, and the task is on the board.
    leader.goto(f"{base}/notifications/")
    assert "合唱快闪" in leader.inner_text("main")
    phone(leader, "activity-approved")
    leader.goto(f"{base}/tasks/{activity.task_id}/")
    assert "合唱快闪" in leader.inner_text("main")

    # Staff post a picture-book session held in the hall from the hall's page.
    staff.goto(f"{base}/resources/venues/{hall.pk}/")
    staff.fill("#task-title", "亲子绘本共读")
    staff.select_option("#task-category", "education")
    staff.fill("#task-day", day.isoformat())
    staff.fill("#task-starts", "10:00")
    staff.fill("#task-ends", "11:30")
    staff.fill("#task-slots", "2")
    desk(staff, "activity-room-task-form")
    staff.click("#task button[type=submit]")
    task = Task.objects.get(title="亲子绘本共读")
    assert Booking.objects.get(task=task).status == "confirmed"
    staff.goto(f"{base}/resources/venues/{hall.pk}/?week={day.isoformat()}")
    assert "10:00–11:30" in staff.inner_text(".week")
    desk(staff, "activity-room-week")
    assert phone.problems == [] and desk.problems == [], (phone.problems, desk.problems)

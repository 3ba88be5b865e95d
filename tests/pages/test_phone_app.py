"""#16: the volunteer's and the resident's app, phone-first: tab bar, personal home, task cards and
page, numbers people read, 长辈模式, favicon and manifest."""

import re

import pytest

from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_signed_in_home_shows_next_task_hours_points_and_things_to_do(volunteer, make_task):
    from orders.services import claim_create

    task = make_task(title="陪伴独居老人聊天")
    claim_create(actor=volunteer, task=task)
    page = browser(volunteer).get("/").content.decode()
    assert "我的下一个任务" in page and "陪伴独居老人聊天" in page
    assert "今年服务时长" in page and "累计服务时长" in page
    assert "签到在开始前 30 分钟开放" in page


def test_visitor_home_tells_what_the_platform_is_and_shows_the_open_tasks(make_task):
    make_task(title="社区义诊")
    page = browser().get("/").content.decode()
    assert "社区义诊" in page and "注册" in page


def test_the_tab_bar_marks_the_current_page_and_is_role_aware(volunteer, resident):
    page = browser(volunteer).get("/tasks/").content.decode()
    tabbar = page[page.index('class="tabbar"'):]
    assert re.search(r'href="/tasks/" aria-current="page"', tabbar)
    assert "我的接单" in tabbar and "我的需求" not in tabbar
    tabbar = browser(resident).get("/").content.decode().split('class="tabbar"')[1]
    assert "我的需求" in tabbar and 'href="/" aria-current="page"' in tabbar


def test_large_text_mode_is_one_switch_and_remembered(client):
    response = client.get("/large-text/on/?next=/tasks/")
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    assert 'class="large-text"' in client.get("/tasks/").content.decode()
    client.get("/large-text/off/")
    assert 'class="large-text"' not in client.get("/tasks/").content.decode()


def test_every_page_links_a_favicon_and_a_manifest(client):
    page = client.get("/").content.decode()
    assert 'rel="manifest"' in page and 'rel="icon"' in page


def test_the_board_starts_on_my_communities_puts_open_tasks_first_and_counts_them(volunteer, make_task, other_community):
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.services import TaskFields, task_create
    from tests.factories import MembershipFactory

    full = make_task(title="已满的任务", slots=1, starts_at=timezone.now() + timedelta(hours=2))
    from orders.services import claim_create

    claim_create(actor=MembershipFactory(community=full.community, role="volunteer").user, task=full)
    make_task(title="后天的任务", starts_at=timezone.now() + timedelta(days=2))
    other_staff = MembershipFactory(community=other_community, role="staff").user
    start = timezone.now() + timedelta(days=1)
    task_create(actor=other_staff, community=other_community, fields=TaskFields(
        title="别的社区的任务", description="", category="other", starts_at=start, ends_at=start + timedelta(hours=1),
        location="x", slots=1, points=0, skills=[], beneficiary=None))
    page = browser(volunteer).get("/tasks/").content.decode()
    assert "别的社区的任务" not in page and "共 2 个任务" in page
    assert page.index("后天的任务") < page.index("已满的任务")  # open first, although it starts later
    page = browser(volunteer).get("/tasks/?scope=all").content.decode()
    assert "别的社区的任务" in page and "共 3 个任务" in page
    assert "<details class=\"card filters\">" in browser(volunteer).get("/tasks/?category=repair").content.decode()  # folded after use


def test_task_page_shows_check_in_only_when_the_window_opens_and_withdrawing_asks_first(volunteer, make_task):
    from orders.models import Claim
    from orders.services import claim_create

    task = make_task(title="明天的任务")  # tomorrow 09:00
    claim = claim_create(actor=volunteer, task=task)
    client = browser(volunteer)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="checkin-code"' not in page and "签到在" in page
    confirm = client.get(f"/claims/{claim.pk}/withdraw/")
    assert confirm.status_code == 200 and "确定退出接单吗？" in confirm.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED  # asking changed nothing
    client.post(f"/claims/{claim.pk}/withdraw/")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN


def test_after_check_out_the_status_reads_checked_out_and_the_organiser_is_shown(volunteer, staff, make_task):
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.services import task_checkin_code
    from orders.services import claim_check_in, claim_check_out, claim_create

    task = make_task(starts_at=timezone.now() + timedelta(minutes=20))
    claim = claim_create(actor=volunteer, task=task)
    code, _ = task_checkin_code(actor=staff, task=task)
    claim_check_in(actor=volunteer, claim=claim, code=code)
    type(task).objects.filter(pk=task.pk).update(starts_at=timezone.now() - timedelta(minutes=40))  # the service has begun
    claim_check_out(actor=volunteer, claim=claim, code=code)
    page = browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
    status = page.split('class="claim-status">')[1].split("<")[0]
    assert status == "已签退"
    assert staff.shown_name in page.split('class="organiser"')[1].split("</dd>")[0]


def test_task_history_lines_read_as_sentences(staff, make_task):
    task = make_task()
    page = browser(staff).get(f"/tasks/{task.pk}/").content.decode()
    assert "— →" not in page and "创建，状态为招募中" in page


def test_a_notification_is_shown_in_the_readers_language_not_the_writers(resident, django_capture_on_commit_callbacks):
    from django.utils import translation

    from accounts import notices
    from accounts.services import notify
    from marketplace.models import Need

    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):  # written during a Chinese page
        notify(user=resident, kind="need_in_progress", code="need_status",
               params={"title": "楼道灯坏了", "status": notices.label(Need.Status.IN_PROGRESS)}, url="/needs/1/")
    english = browser(resident, language="en").get("/notifications/").content.decode()
    assert "Your need “楼道灯坏了” is now: In progress." in english
    chinese = browser(resident).get("/notifications/").content.decode()
    assert "您的需求“楼道灯坏了”当前状态：处理中。" in chinese


def test_old_notifications_without_a_code_keep_their_text(resident):
    from accounts.models import Notification

    Notification.objects.create(user=resident, kind="old", message="旧的通知")
    assert "旧的通知" in browser(resident, language="en").get("/notifications/").content.decode()


def test_redeeming_asks_to_confirm_and_is_disabled_without_enough_points(volunteer, staff, community):
    from points import services
    from points.models import Redemption
    from tests.factories import UserFactory

    reward = services.reward_create(actor=staff, community=community, name="大米", cost=50, stock=5)
    client = browser(volunteer)
    page = client.get(f"/communities/{community.pk}/rewards/").content.decode()
    assert "disabled" in page and "积分不足：需要 50 积分，您现有 0 积分。" in page
    services.points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    services.points_award(actor=None, community=community, user=volunteer, amount=120, idempotency_key="t")
    confirm = client.get(f"/rewards/{reward.pk}/redeem/?quantity=2")
    assert confirm.status_code == 200 and "确认兑换" in confirm.content.decode() and "120 → 20" in confirm.content.decode()
    assert not Redemption.objects.exists()  # looking at the confirmation spends nothing
    client.post(f"/rewards/{reward.pk}/redeem/", {"quantity": 2})
    assert Redemption.objects.get().points == 100


def test_the_record_shows_the_plain_average_with_the_number_of_reviews_and_plurals(volunteer):
    from decimal import Decimal
    from unittest import mock

    reputation = {"score": Decimal("4.17"), "average": Decimal("5.00"), "reviews": 1, "services": 1, "hours": 0, "credited_hours": 0, "honour_hours": 0}
    with mock.patch("orders.selectors.provider_reputation", return_value=reputation):
        page = browser(volunteer, language="en").get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert "5.00</strong>★ 1 review" in page and "4.17" not in page
    assert "<strong>0</strong> services" in page


def test_numbers_have_thousands_separators():
    from decimal import Decimal

    from core.templatetags.numbers import thousands

    assert [thousands(12345), thousands(Decimal("1234.50")), thousands(0), thousands(None)] == ["12,345", "1,234.50", "0", "—"]


def test_my_needs_page_has_a_button_to_post_a_need(resident, community):
    page = browser(resident).get("/needs/").content.decode()
    assert f'href="/needs/new/{community.pk}/"' in page and "提交需求" in page


def test_home_splits_the_persons_claims_into_the_next_task_and_the_hours_to_submit(volunteer, make_task):
    """My open claims are read once (orders.selectors.my_open_claims) and split: the soonest task
    that has not ended is "my next task"; a task I checked in to that has ended asks for my hours;
    a task that ended without my check-in is neither."""
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.models import Task
    from orders.models import Claim
    from orders.services import claim_create

    now = timezone.now()
    later = claim_create(actor=volunteer, task=make_task(title="下周植树", starts_at=now + timedelta(days=7)))
    soon = claim_create(actor=volunteer, task=make_task(title="明天读报"))
    ended_in = claim_create(actor=volunteer, task=make_task(title="上周理发", starts_at=now + timedelta(days=3)))
    ended_out = claim_create(actor=volunteer, task=make_task(title="上周义诊", starts_at=now + timedelta(days=4)))
    for days, claim in ((7, ended_in), (6, ended_out)):
        Task.objects.filter(pk=claim.task_id).update(starts_at=now - timedelta(days=days), ends_at=now - timedelta(days=days, hours=-2))
    Claim.objects.filter(pk=ended_in.pk).update(status=Claim.Status.CHECKED_IN, checked_in_at=now - timedelta(days=7))
    page = browser(volunteer).get("/").content.decode()
    next_task = page[page.index("我的下一个任务"):page.index("</section>", page.index("我的下一个任务"))]
    assert "明天读报" in next_task and "下周植树" not in next_task
    waiting = page[page.index("等我处理"):page.index("</section>", page.index("等我处理"))]
    assert "提交服务时长" in waiting and "上周理发" in waiting
    assert f'href="/tasks/{ended_in.task_id}/#my-claim"' in waiting
    assert "上周义诊" not in page and later.pk and soon.pk

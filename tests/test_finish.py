"""The finishing touches of issue #17: the admin speaks the product's name, history rows read as
sentences, notifications are read when opened, an error page says its message once, and under
DEBUG a mistyped address still shows the project's 404 page."""

import pytest
from django.test import override_settings

from accounts.models import Notification
from marketplace.models import TaskStatusChange
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_the_admin_carries_the_product_name(superuser):
    page = browser(superuser).get("/admin/").content.decode()
    assert "社区集市 管理后台" in page and "Django 管理" not in page


def test_a_status_history_row_reads_as_a_sentence(task):
    row = TaskStatusChange.objects.filter(task=task).last()
    text = str(row)
    assert "→" in text and "object (" not in text


def test_opening_the_notifications_marks_them_read_and_shows_which_were_new(staff):
    Notification.objects.create(user=staff, kind="x", message="新的通知一条")
    page = browser(staff).get("/notifications/").content.decode()
    assert 'class="pickup unread"' in page and "新的通知一条" in page
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()
    again = browser(staff).get("/notifications/").content.decode()
    assert 'class="pickup unread"' not in again


def test_an_empty_notification_list_offers_no_mark_all_button(staff):
    page = browser(staff).get("/notifications/").content.decode()
    assert "全部标为已读" not in page and "暂时还没有消息" in page


def test_the_403_page_says_its_message_once(community, other_staff):
    page = browser(other_staff).get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert page.count("数据看板仅供本社区的社区工作者使用") == 1


@override_settings(DEBUG=True, DEBUG_404=False)
def test_under_debug_a_mistyped_address_shows_the_project_404_page():
    response = browser().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "该页面不存在" in body and "URLconf" not in body
    # A view's own 404 too (an unknown task).
    assert "URLconf" not in browser().get("/tasks/999999/").content.decode()


@override_settings(DEBUG=True, DEBUG_404=True)
def test_a_developer_can_ask_for_the_debug_404_page():
    assert "URLconf" in browser().get("/no-such-page/").content.decode()

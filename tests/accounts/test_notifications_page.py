"""The notifications page: opening it marks the notifications read and shows which were new; an
empty list offers no "mark all" button."""

import pytest

from accounts.models import Notification
from tests.conftest import browser

pytestmark = pytest.mark.django_db


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

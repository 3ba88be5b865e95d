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

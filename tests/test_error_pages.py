"""Error pages speak the project's language: a 403 page says its message once, and under DEBUG a
mistyped address still shows the project's own 404 page unless a developer asks for Django's."""

import pytest
from django.test import override_settings

from tests.conftest import browser

pytestmark = pytest.mark.django_db


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

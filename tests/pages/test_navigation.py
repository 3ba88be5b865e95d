"""The desktop menu marks the item of the page being read."""

import re

import pytest

from tests.conftest import browser

pytestmark = pytest.mark.django_db


def current_menu_item(html: str) -> list[str]:
    """The desktop menu's marked item(s): the hrefs carrying aria-current inside the nav-links list."""
    menu = html.split('<ul class="nav-links">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a[^>]*href="([^"]+)"[^>]*aria-current="page"', menu)


# --- Desktop navigation marks the page's own item ------------------------------------------------------
def test_the_desktop_menu_marks_the_item_of_each_main_page(community, staff, task):
    client = browser(staff)
    expected = {
        f"/communities/{community.pk}/workbench/": f"/communities/{community.pk}/workbench/",
        "/needs/": "/needs/",
        "/claims/": "/claims/",
        "/claims/queue/": "/claims/queue/",
        "/tasks/": "/tasks/",
        f"/tasks/{task.pk}/": "/tasks/",
        "/communities/": "/communities/",
        "/feedback/": "/feedback/",
        "/organizations/": "/organizations/",
        "/projects/": "/projects/",
        "/points/": "/points/",
        "/notifications/": "/notifications/",
        "/accounts/profile/": "/accounts/profile/",
    }
    for page, item in expected.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert current_menu_item(response.content.decode()) == [item], page




def test_staff_at_the_counter_see_their_workbench_marked_not_their_own_points(community, staff, volunteer, give):
    """A staff member cancelling a resident's reservation is at the counter (#28): the menu marks the
    workbench; the owner cancelling their own reservation is in 我的积分."""
    from points import services

    reward = services.reward_create(actor=staff, community=community, name="大米 5kg", cost=100, stock=3, per_person_limit=2)
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    workbench = f"/communities/{community.pk}/workbench/"
    for page in (f"/communities/{community.pk}/points/", f"/redemptions/{redemption.pk}/cancel/"):
        response = browser(staff).get(page)
        assert response.status_code == 200, page
        assert current_menu_item(response.content.decode()) == [workbench], page
    response = browser(volunteer).get(f"/redemptions/{redemption.pk}/cancel/")
    assert current_menu_item(response.content.decode()) == ["/points/"]

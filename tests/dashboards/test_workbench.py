"""The staff workbench (issue #17): one page with everything waiting for a community's staff,
oldest first, with how long it has waited, each item leading to where the work is done."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from marketplace.services import need_submit
from points.services import redemption_reserve, reward_create
from tests.conftest import browser
from tests.factories import OrganizationFactory
from tests.orders.test_volunteer_loop import submitted

pytestmark = pytest.mark.django_db


def test_staff_land_on_their_workbench_and_others_on_the_home_page(community, staff, resident):
    response = browser(staff).get("/")
    assert response.status_code == 302 and response["Location"] == f"/communities/{community.pk}/workbench/"
    assert browser(resident).get("/").status_code == 200
    assert browser().get("/").status_code == 200
    # The menu leads there too, and the community page puts it first.
    page = browser(staff).get(f"/communities/{community.pk}/").content.decode()
    assert f'href="/communities/{community.pk}/workbench/"' in page and "打开工作台" in page


def test_the_workbench_lists_what_waits_oldest_first_with_how_long(community, staff, resident, volunteer, give, make_task):
    three_days_ago = timezone.now() - timedelta(days=3)
    with time_machine.travel(three_days_ago, tick=False):
        old = need_submit(actor=resident, community=community, title="楼道灯坏了")
    need_submit(actor=resident, community=community, title="想学用手机挂号")
    task = make_task()
    claim = submitted(task, volunteer, staff, hours="1.5")
    give(volunteer, 100)
    reward = reward_create(actor=staff, community=community, name="大米一袋", cost=30, stock=5)
    redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    OrganizationFactory(community=community, name="暖心公益服务社", status="pending")
    OrganizationFactory(community=community, name="已认证的社", status="verified")

    page = browser(staff).get(f"/communities/{community.pk}/workbench/").content.decode()
    assert page.index("楼道灯坏了") < page.index("想学用手机挂号")  # oldest first
    assert "等待 3 天" in page
    assert f'href="/needs/{old.pk}/"' in page
    assert f'href="/needs/?community={community.pk}&amp;status=submitted"' in page
    assert f'href="/claims/queue/?community={community.pk}"' in page and "1.50 小时" in page
    assert claim.user.shown_name in page
    assert "大米一袋" in page and f'href="/communities/{community.pk}/points/"' in page
    assert "暖心公益服务社" in page and "已认证的社" not in page
    assert "5 项正在等你处理" in page


def test_an_empty_workbench_says_so(community, staff):
    page = browser(staff, language="en").get(f"/communities/{community.pk}/workbench/").content.decode()
    assert "Nothing is waiting" in page and page.count("None waiting.") == 5  # claims, needs, redemptions, organisations, assistance (#30)


def test_only_staff_of_the_community_open_its_workbench(community, other_staff, resident, superuser):
    assert browser(other_staff).get(f"/communities/{community.pk}/workbench/").status_code == 403
    assert browser(resident).get(f"/communities/{community.pk}/workbench/").status_code == 403
    assert browser(superuser).get(f"/communities/{community.pk}/workbench/").status_code == 200
    assert browser(superuser).get("/communities/999999/workbench/").status_code == 404


def test_the_queue_link_of_the_workbench_shows_only_that_community(community, other_community, staff, volunteer, make_task):
    task = make_task()
    submitted(task, volunteer, staff, note="只属于锣旗寺")
    assert "只属于锣旗寺" in browser(staff).get(f"/claims/queue/?community={community.pk}").content.decode()
    # A community the person does not staff is ignored, never shown.
    assert "只属于锣旗寺" in browser(staff).get(f"/claims/queue/?community={other_community.pk}").content.decode()


def test_the_staff_community_page_groups_its_links(community, staff):
    page = browser(staff).get(f"/communities/{community.pk}/").content.decode()
    actions = page[page.index('<p class="actions">'):]
    actions = actions[: actions.index("</p>")]
    assert actions.count('class="button') == 2 and "打开工作台" in actions  # the rest are grouped links
    assert "面向所有人" in page and "社区工作" in page
    assert f'href="/needs/?community={community.pk}&amp;status=submitted"' in page

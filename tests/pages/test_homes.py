"""Each role's home shows what that role does next: the resident's "waiting for me", the district
admin's desk, an organisation admin's status and projects to bid on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services as market
from tests.conftest import browser

pytestmark = pytest.mark.django_db


# --- Each role's home shows what that role does next ----------------------------------------------------
def test_waiting_for_me_holds_only_what_needs_the_residents_action(community, resident, staff):
    need = market.need_submit(actor=resident, community=community, title="楼道灯坏了")
    market.need_triage(actor=staff, need=need, track="minor", reply="已安排志愿者维修")
    html = browser(resident).get("/").content.decode()
    assert "我的需求有回复了" not in html and "等我处理" not in html  # a reply is news, not a task


def test_the_district_admin_home_is_the_districts_desk(superuser, community, resident):
    market.need_submit(actor=resident, community=community, title="楼道灯坏了")
    html = browser(superuser).get("/").content.decode()
    assert "1 条需求尚未分流" in html and "0 个组织待审核" in html and 'href="/district/dashboard/"' in html
    assert "积分" not in html.split("<main", 1)[1] and "加入社区" not in html


def test_an_organisation_admin_home_shows_its_status_and_projects_to_bid(org_admin, community, staff):
    from accounts.models import Organization
    from marketplace.services import project_create

    Organization.objects.update(status="pending")
    html = browser(org_admin).get("/").content.decode()
    main = html.split("<main", 1)[1]
    assert "重庆暖洋洋社会工作服务中心" in main and "审核通过后即可投标" in main
    assert "积分" not in main and "加入社区" not in main
    Organization.objects.update(status="verified")
    project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=7))
    main = browser(org_admin).get("/").content.decode().split("<main", 1)[1]
    assert "可投标的项目" in main and "助老服务" in main and "¥10,000.00" in main

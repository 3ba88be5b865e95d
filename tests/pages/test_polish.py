"""#28 part B: the confusion people still hit, page by page (needs order, names on the public
board, which menu item is marked, each role's home, second looks before one-tap actions)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services as market
from marketplace.models import Need
from tests.conftest import browser
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def current_menu_item(html: str) -> list[str]:
    """The desktop menu's marked item(s): the hrefs carrying aria-current inside the nav-links list."""
    menu = html.split('<ul class="nav-links">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a[^>]*href="([^"]+)"[^>]*aria-current="page"', menu)


# --- /needs/: open needs first, then by date ---------------------------------------------------------
def test_my_needs_list_shows_open_needs_before_last_years_resolved_ones(community, resident, staff):
    old = [market.need_submit(actor=resident, community=community, title=f"去年的事 {i}") for i in range(3)]
    for need in old:
        market.need_triage(actor=staff, need=need, track="minor", reply="好")
        market.need_resolve(actor=staff, need=need, reply="已解决")
    Need.objects.filter(pk__in=[n.pk for n in old]).update(created_at=timezone.now() - timedelta(days=400))
    first = market.need_submit(actor=resident, community=community, title="楼道灯坏了")
    second = market.need_submit(actor=resident, community=community, title="电梯异响")
    for viewer in (resident, staff):
        html = browser(viewer).get("/needs/").content.decode()
        places = [html.index(t) for t in ("楼道灯坏了", "电梯异响", "去年的事 2", "去年的事 0")]
        assert places == sorted(places), viewer  # open (oldest waits least), then resolved (newest first)
    assert first.pk < second.pk


# --- /feedback/: residents' names masked for the public ----------------------------------------------
def test_the_feedback_board_masks_a_residents_name_for_the_public_and_shows_it_to_staff(api, community, staff):
    resident = MembershipFactory(community=community, role="resident", user__display_name="张桂兰").user
    need = market.need_submit(actor=resident, community=community, title="楼道灯坏了")
    market.need_triage(actor=staff, need=need, track="minor", reply="已安排")
    market.need_resolve(actor=staff, need=need, reply="灯已换好")
    neighbour = MembershipFactory(community=community, role="resident").user
    for page in ("/feedback/", f"/communities/{community.pk}/feedback/", f"/needs/{need.pk}/"):
        for client in (browser(), browser(neighbour)):
            html = client.get(page).content.decode()
            assert "楼道灯坏了" in html and "张桂兰" not in html and "张*兰" in html, page
        assert "张桂兰" in browser(staff).get(page).content.decode(), page
    assert api().get(f"needs/{need.pk}").json()["author_name"] == "张*兰"
    assert api(staff).get(f"needs/{need.pk}").json()["author_name"] == "张桂兰"


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


# --- A refused bid opens at a summary of its errors; a withdrawal asks first and loses nothing ------------
@pytest.fixture
def open_project(community, staff):
    from accounts.models import OrganizationMember
    from marketplace.services import project_create
    from tests.factories import OrganizationFactory, UserFactory

    org = OrganizationFactory(status="verified", community=community, name="重庆暖洋洋社会工作服务中心")
    admin = UserFactory(username="nuanyangyang")
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=7))
    return project, org, admin


def test_a_refused_bid_lists_its_errors_at_the_top_with_links_to_the_fields(open_project):
    project, org, admin = open_project
    client = browser(admin)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'action="/projects/{project.pk}/bid/#bid-errors"' in page  # the answer opens at the summary
    response = client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "12000", "proposal": "入户探访"})
    page = response.content.decode()
    summary = page.split('id="bid-errors"', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 400 and 'tabindex="-1"' in page.split('id="bid-errors"', 1)[0][-200:] + summary
    assert '<a href="#bid-amount">' in summary and "投标金额不能超过项目预算" in summary
    assert page.index('id="bid-errors"') < page.index('id="bid-amount"') and ">入户探访</textarea>" in page


def test_withdrawing_a_bid_asks_first_and_the_new_form_starts_from_it(open_project):
    from orders.models import Bid

    project, org, admin = open_project
    client = browser(admin)
    client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "9000.50", "proposal": "入户探访，每周两次", "team": "社工 3 名", "timeline": "三个月"})
    bid = Bid.objects.get()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/bids/{bid.pk}/withdraw/"' in page  # a link to a second look, not a one-tap form
    look = client.get(f"/projects/bids/{bid.pk}/withdraw/")
    assert look.status_code == 200 and "确定撤回这份投标吗？" in look.content.decode()
    bid.refresh_from_db()
    assert bid.status == "submitted"  # looking changes nothing
    assert client.post(f"/projects/bids/{bid.pk}/withdraw/").status_code == 302
    bid.refresh_from_db()
    assert bid.status == "withdrawn"
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'value="9000.50"' in page and ">入户探访，每周两次</textarea>" in page and ">社工 3 名</textarea>" in page and ">三个月</textarea>" in page
    assert f'<option value="{org.pk}" selected>' in page and "表单已填入您撤回的投标内容" in page



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

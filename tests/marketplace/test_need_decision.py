"""The need page as one decision (issue #17): the need and its history on one side, one panel
offering the next step for the need's state; resolving is apart from closing."""

import pytest

from marketplace.models import Need
from marketplace.services import need_submit, need_triage
from tests.conftest import browser
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def panel(page: str) -> str:
    return page[page.index('class="card action-panel"'):page.index("</aside>")]


def test_a_submitted_need_offers_triage_first_and_close_apart(community, staff, resident):
    need = need_submit(actor=resident, community=community, title="楼道灯坏了")
    html = panel(browser(staff).get(f"/needs/{need.pk}/").content.decode())
    assert "下一步" in html and html.index("保存分流") < html.index("不解决直接关闭")
    assert "标记为已解决" not in html and "转为任务" not in html


def test_a_triaged_need_offers_task_consultation_and_resolve_but_not_triage_again_by_default(community, staff, resident):
    OrganizationFactory(community=community, name="暖心服务社", status="verified")
    need = need_submit(actor=resident, community=community, title="想学用手机")
    need_triage(actor=staff, need=need, track="minor", reply="将安排志愿者")
    page = browser(staff).get(f"/needs/{need.pk}/").content.decode()
    html = panel(page)
    assert "转为任务" in html and "标记为已解决" in html
    # Resolving and closing are two separate forms, the close one folded away.
    resolve = html[html.index(f'action="/needs/{need.pk}/resolve/"'):]
    assert "close" not in resolve[: resolve.index("</form>")]
    assert html.index("标记为已解决") < html.index("<details class=\"panel-more close-need\">")
    # Organisations are a list of checkboxes with their names, and no id appears twice.
    assert 'type="checkbox" name="organizations"' in html and "暖心服务社" in html
    assert page.count('id="id_reply"') == 1 and page.count('id="triage_reply"') == 1


def test_a_finished_need_offers_nothing_to_do(community, staff, resident):
    need = need_submit(actor=resident, community=community, title="已处理的事")
    need_triage(actor=staff, need=need, track="major", reply="已转交", department="街道")
    browser(staff).post(f"/needs/{need.pk}/resolve/", {"reply": "已修好"})
    assert Need.objects.get(pk=need.pk).status == "resolved"
    html = panel(browser(staff).get(f"/needs/{need.pk}/").content.decode())
    assert "无需再处理" in html and "<form" not in html


def test_triage_from_the_page_moves_the_need(community, staff, resident):
    need = need_submit(actor=resident, community=community, title="路面坑洼")
    response = browser(staff).post(f"/needs/{need.pk}/triage/", {"track": "major", "reply": "已转交街道", "department": "街道城管办"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.track, need.department) == ("triaged", "major", "街道城管办")


def test_the_history_stays_beside_the_panel(community, staff, resident):
    need = need_submit(actor=resident, community=community, title="历史要看得见")
    need_triage(actor=staff, need=need, track="minor", reply="已安排")
    page = browser(staff).get(f"/needs/{need.pk}/").content.decode()
    assert "历史记录" in page
    history = page[page.index("历史记录"):]
    assert "已分流" in history and page.index("历史记录") < page.index('class="card action-panel"')

"""Needs as people read them: my needs list shows open needs before last year's resolved ones; the
public feedback board masks a resident's name and staff see it whole."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services as market
from marketplace.models import Need
from tests.conftest import browser
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


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



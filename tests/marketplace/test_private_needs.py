"""Private-track (私事) needs never appear on a public list; their author and staff still see them
(#19.18, docs/security.md)."""


import pytest

from tests.conftest import browser

pytestmark = pytest.mark.django_db


# --- #18 Private-track (私事) needs never appear in public lists ---------------------------------------
@pytest.fixture
def resolved_pair(community, staff, resident):
    from marketplace.services import need_resolve, need_submit, need_triage

    made = {}
    for track, title, reply in (("private", "家里老人需要请护工", "已介绍给暖洋洋护理站"), ("minor", "楼道灯坏了", "灯已修好")):
        need = need_submit(actor=resident, community=community, title=title)
        need_triage(actor=staff, need=need, track=track, reply="已受理")
        made[track] = need_resolve(actor=staff, need=need, reply=reply)
    return made


def test_a_resolved_private_need_is_not_on_any_public_list(api, community, resolved_pair, volunteer):
    private, minor = resolved_pair["private"], resolved_pair["minor"]
    for client in (browser(), browser(volunteer)):
        for url in ("/feedback/", f"/communities/{community.pk}/feedback/"):
            page = client.get(url).content.decode()
            assert "楼道灯坏了" in page
            assert "家里老人需要请护工" not in page and "暖洋洋护理站" not in page
    for caller in (api(), api(volunteer)):
        for params in ({}, {"community": community.pk}):
            listed = caller.get("needs/resolved", params).json()
            items = listed["items"] if isinstance(listed, dict) else listed
            assert [n["id"] for n in items] == [minor.pk]
        assert caller.get(f"needs/{private.pk}").status_code == 404
        assert caller.get(f"needs/{minor.pk}").status_code == 200
    # It still counts in the anonymous totals.
    board = api().get("needs/board").json()
    assert (board["resolved"], board["private"]) == (2, 1)


def test_the_resident_and_staff_still_see_their_private_need(api, resolved_pair, resident, staff):
    private = resolved_pair["private"]
    assert api(resident).get(f"needs/{private.pk}").json()["reply"] == "已介绍给暖洋洋护理站"
    assert api(staff).get(f"needs/{private.pk}").status_code == 200



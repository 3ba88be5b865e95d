"""The alliances page (通存通兑): everybody sees where points are good; the district admin makes an
alliance in a form that shows its refusals; the balances link is for those who may read them."""

import pytest

from points import services
from points.models import Alliance, AllianceMember, PointsAccount
from tests.conftest import browser
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_the_district_admin_makes_an_alliance_on_the_page_and_lands_on_its_balances(superuser, community, other_community):
    form = browser(superuser, "en").get("/points/alliances/").content.decode()
    assert 'id="alliance-new"' in form and "建立联盟" in browser(superuser).get("/points/alliances/").content.decode() and "锣旗寺社区" in form and "东原社区" in form
    response = browser(superuser).post("/points/alliances/", {"community_ids": [str(community.pk), str(other_community.pk)], "name": ""})
    alliance = Alliance.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/points/alliances/{alliance.pk}/"
    assert sorted(alliance.members.values_list("community_id", flat=True)) == [community.pk, other_community.pk]
    assert PointsAccount.objects.filter(kind=PointsAccount.Kind.CLEARING).count() == 2  # the same service as the API
    listing = browser(superuser, "en").get("/points/alliances/").content.decode()
    assert alliance.name in listing and f"/points/alliances/{alliance.pk}/" in listing and "already in an alliance" in listing


@pytest.mark.parametrize("chosen", ["one", "twice"])
def test_an_alliance_of_a_community_with_itself_is_shown_in_the_form_and_writes_nothing(superuser, community, other_community, chosen):
    ids = [str(community.pk)] if chosen == "one" else [str(community.pk), str(community.pk)]
    response = browser(superuser, "en").post("/points/alliances/", {"community_ids": ids})
    page = response.content.decode()
    assert response.status_code == 400 and 'id="alliance-error"' in page and "cannot ally with itself" in page
    assert f'value="{community.pk}" checked' in page  # the choice is kept
    zh = browser(superuser).post("/points/alliances/", {"community_ids": ids}).content.decode()
    assert "社区不能与自己结盟" in zh and 'role="alert"' in zh
    assert Alliance.objects.count() == 0 and not PointsAccount.objects.filter(kind=PointsAccount.Kind.CLEARING).exists()


def test_a_community_already_allied_is_refused_in_the_form(superuser, community, other_community):
    services.alliance_create(actor=superuser, community_ids=[community.pk, other_community.pk])
    third = CommunityFactory(name="五宝社区")
    response = browser(superuser, "en").post("/points/alliances/", {"community_ids": [str(community.pk), str(third.pk)]})
    assert response.status_code == 409 and "锣旗寺社区 is already in an alliance." in response.content.decode()
    assert Alliance.objects.count() == 1 and not AllianceMember.objects.filter(community=third).exists()


def test_only_the_district_admin_makes_an_alliance_and_only_readers_get_the_balances_link(staff, resident, superuser, community, other_community):
    body = {"community_ids": [str(community.pk), str(other_community.pk)]}
    assert browser(staff).post("/points/alliances/", body).status_code == 403
    assert browser().post("/points/alliances/", body)["Location"].startswith("/accounts/login/")
    assert Alliance.objects.count() == 0
    assert 'id="alliance-new"' not in browser(staff).get("/points/alliances/").content.decode()
    alliance = services.alliance_create(actor=superuser, community_ids=[community.pk, other_community.pk])
    link = f"/points/alliances/{alliance.pk}/"
    assert link in browser(staff).get("/points/alliances/").content.decode()
    public = browser().get("/points/alliances/")
    assert public.status_code == 200 and alliance.name in public.content.decode() and link not in public.content.decode()
    assert link not in browser(resident).get("/points/alliances/").content.decode()

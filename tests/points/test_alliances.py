"""Points across communities (通存通兑): the district allies 锣旗寺社区 and 东原社区, and a volunteer
who earned points in one spends them in the other's supermarket. Every community's books balance,
and the balances page says who owes whom."""

import pytest
from django.core.management import call_command

from accounts.models import Membership
from points import services
from points.models import Alliance, LedgerTransaction, PointsAccount, Redemption, Reward
from tests.conftest import error_of
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allied(superuser, community, other_community):
    return services.alliance_create(actor=superuser, community_ids=[community.pk, other_community.pk])


@pytest.fixture
def rice(other_community, other_staff):
    return services.reward_create(actor=other_staff, community=other_community, name="大米 5kg", cost=100, stock=5)


def _balance(user, community):
    return PointsAccount.objects.filter(kind="person", user=user, community=community).values_list("balance", flat=True).first() or 0


def test_the_district_admin_makes_an_alliance_and_anyone_sees_it(api, superuser, community, other_community):
    response = api(superuser).post("points/alliances", {"community_ids": [community.pk, other_community.pk]})
    assert response.status_code == 201, response.content
    assert response.json()["community_ids"] == sorted([community.pk, other_community.pk])
    assert response.json()["name"] == "锣旗寺社区、东原社区"
    assert api().get("points/alliances").json()["count"] == 1
    # Both clearing accounts exist from the start, one per ordered pair.
    assert PointsAccount.objects.filter(kind="clearing").count() == 2


@pytest.mark.parametrize("ids", ["self", "alone", "twice"])
def test_an_alliance_of_a_community_with_itself_is_refused(api, superuser, community, other_community, ids):
    body = {"self": [community.pk, community.pk], "alone": [community.pk], "twice": [community.pk, other_community.pk, community.pk]}[ids]
    assert error_of(api(superuser).post("points/alliances", {"community_ids": body})) == (400, "alliance_with_itself")
    assert Alliance.objects.count() == 0 and PointsAccount.objects.filter(kind="clearing").count() == 0


def test_only_the_district_admin_makes_an_alliance_and_a_community_joins_one_only(api, staff, superuser, community, other_community, allied):
    third = CommunityFactory(name="港城社区")
    assert error_of(api(staff).post("points/alliances", {"community_ids": [community.pk, third.pk]})) == (403, "permission_denied")
    assert error_of(api(superuser).post("points/alliances", {"community_ids": [community.pk, third.pk]})) == (409, "already_allied")
    assert error_of(api(superuser).post("points/alliances", {"community_ids": [third.pk, 999999]})) == (404, "community_not_found")
    assert Alliance.objects.count() == 1


def test_a_volunteer_spends_points_earned_in_one_community_in_the_other(api, volunteer, give, community, other_community, allied, rice):
    give(volunteer, 150)  # earned in 锣旗寺社区
    response = api(volunteer).post("redemptions", {"reward_id": rice.pk, "quantity": 1})
    assert response.status_code == 201, response.content
    assert _balance(volunteer, community) == 50 and api(volunteer).get("points/balance").json()["balance"] == 50
    tx = LedgerTransaction.objects.get(kind="redemption")
    assert tx.entries.count() == 4  # the person's account, both clearing accounts, the sink: one transaction
    assert Reward.objects.get(pk=rice.pk).stock == 4
    call_command("points_audit")


def test_points_here_are_spent_first_then_the_rest_from_the_allied_community(api, volunteer, give, community, other_community, allied, rice,
                                                                               superuser):
    MembershipFactory(user=volunteer, community=other_community, role=Membership.Role.VOLUNTEER)
    give(volunteer, 80)
    services.points_budget(actor=superuser, community=other_community, amount=1_000)
    services.points_award(actor=None, community=other_community, user=volunteer, amount=30, idempotency_key="t:east")
    assert api(volunteer).post("redemptions", {"reward_id": rice.pk, "quantity": 1}).status_code == 201
    assert (_balance(volunteer, other_community), _balance(volunteer, community)) == (0, 10)
    call_command("points_audit")


def test_a_redemption_outside_any_alliance_finds_too_few_points_and_writes_nothing(api, volunteer, give, community):
    give(volunteer, 500)
    outside = CommunityFactory(name="港城社区")
    MembershipFactory(user=volunteer, community=outside, role=Membership.Role.VOLUNTEER)
    staff = MembershipFactory(community=outside, role=Membership.Role.STAFF).user
    soap = services.reward_create(actor=staff, community=outside, name="香皂", cost=100, stock=5)
    assert error_of(api(volunteer).post("redemptions", {"reward_id": soap.pk, "quantity": 1})) == (409, "insufficient_points")
    assert Redemption.objects.count() == 0 and Reward.objects.get(pk=soap.pk).stock == 5 and _balance(volunteer, community) == 500


def test_more_than_all_allied_points_together_is_refused(api, volunteer, give, allied, rice):
    give(volunteer, 150)
    assert error_of(api(volunteer).post("redemptions", {"reward_id": rice.pk, "quantity": 2})) == (409, "insufficient_points")
    assert Redemption.objects.count() == 0 and Reward.objects.get(pk=rice.pk).stock == 5


def test_a_cancelled_cross_community_redemption_returns_the_points_where_they_came_from(volunteer, give, community, allied, rice):
    give(volunteer, 150)
    redemption = services.redemption_reserve(actor=volunteer, reward=rice, quantity=1)
    services.redemption_cancel(actor=volunteer, redemption=redemption)
    assert _balance(volunteer, community) == 150
    assert set(PointsAccount.objects.filter(kind="clearing").values_list("balance", flat=True)) == {0}
    call_command("points_audit")


def test_the_balances_show_per_pair_how_many_points_crossed_each_way(api, volunteer, give, community, other_community, allied, rice,
                                                                   other_staff, superuser, staff, resident):
    give(volunteer, 300)
    for _ in range(2):
        services.redemption_reserve(actor=volunteer, reward=rice, quantity=1)
    east = MembershipFactory(community=other_community, role=Membership.Role.VOLUNTEER).user
    services.points_budget(actor=superuser, community=other_community, amount=1_000)
    services.points_award(actor=None, community=other_community, user=east, amount=60, idempotency_key="t:east2")
    oil = services.reward_create(actor=staff, community=community, name="菜籽油", cost=60, stock=5)
    services.redemption_reserve(actor=east, reward=oil, quantity=1)
    for viewer in (superuser, other_staff, staff):
        body = api(viewer).get(f"points/alliances/{allied.pk}/balances").json()
        pair = body["items"][0]
        assert (pair["community_a_id"], pair["a_to_b"], pair["b_to_a"], pair["net"]) == (community.pk, 200, 60, 140)
        assert (pair["debtor_id"], pair["creditor_id"]) == (community.pk, other_community.pk)
    assert error_of(api(resident).get(f"points/alliances/{allied.pk}/balances")) == (403, "permission_denied")
    call_command("points_audit")


def test_the_audit_catches_a_clearing_account_without_its_mirror(allied, volunteer, give, rice):
    give(volunteer, 150)
    services.redemption_reserve(actor=volunteer, reward=rice, quantity=1)
    account = PointsAccount.objects.filter(kind="clearing", balance__gt=0).get()
    PointsAccount.objects.filter(pk=account.pk).update(balance=0)  # a broken cache: its mirror says -100
    with pytest.raises(SystemExit):
        call_command("points_audit")

"""The points pages: my points, the supermarket, the staff counter."""

import re

import pytest

from points import services
from points.models import Redemption, Reward
from points.selectors import person_balance
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_the_supermarket_is_public_and_in_chinese(community, reward):
    page = browser().get(f"/communities/{community.pk}/rewards/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "积分超市" in text and "大米 5kg" in text


def test_a_member_redeems_from_the_page_and_sees_the_code(give, volunteer, reward):
    give(volunteer, 150)
    client = browser(volunteer)
    response = client.post(f"/rewards/{reward.pk}/redeem/", {"quantity": 1})
    assert response.status_code == 302
    redemption = Redemption.objects.get()
    mine = client.get("/points/").content.decode()
    assert redemption.code in mine
    assert person_balance(volunteer) == 50


def test_redeeming_without_enough_points_explains_why(give, volunteer, reward):
    give(volunteer, 10)
    client = browser(volunteer, language="en")
    response = client.post(f"/rewards/{reward.pk}/redeem/", {"quantity": 1}, follow=True)
    assert "Not enough points" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_forged_quantity_is_refused_without_an_error_page(give, volunteer, reward):
    give(volunteer, 1000)
    response = browser(volunteer).post(f"/rewards/{reward.pk}/redeem/", {"quantity": "-3"}, follow=True)
    assert response.status_code == 200
    assert not Redemption.objects.exists()


def test_an_outsider_cannot_redeem(give, outsider, reward):
    response = browser(outsider).post(f"/rewards/{reward.pk}/redeem/", {"quantity": 1})
    assert response.status_code == 403
    assert not Redemption.objects.exists()


def test_my_points_shows_the_statement_with_running_balance(give, volunteer):
    give(volunteer, 30)
    give(volunteer, 12)
    text = browser(volunteer).get("/points/").content.decode()
    assert "+12" in text and "42" in text


def test_giving_points_from_the_page(give, volunteer, resident):
    give(volunteer, 30)
    community_id = volunteer.memberships.get().community_id
    response = browser(volunteer).post("/points/", {"community": community_id, "to_person": "resident", "amount": 10})
    assert response.status_code == 302
    assert person_balance(resident) == 10


def test_giving_points_to_oneself_is_shown_on_the_form(give, volunteer):
    give(volunteer, 30)
    community_id = volunteer.memberships.get().community_id
    response = browser(volunteer, language="en").post("/points/", {"community": community_id, "to_person": "volunteer", "amount": 10})
    assert response.status_code == 400
    assert "yourself" in response.content.decode()
    assert person_balance(volunteer) == 30


def test_staff_hand_over_at_the_counter_with_the_code(give, volunteer, staff, reward, community):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    client = browser(staff)
    counter = client.get(f"/communities/{community.pk}/points/").content.decode()
    assert redemption.code not in counter  # staff must be shown the code by the person
    client.post(f"/communities/{community.pk}/redemptions/{redemption.pk}/fulfil/", {"code": "AAAAAA"})
    redemption.refresh_from_db()
    assert redemption.status == "reserved"
    client.post(f"/communities/{community.pk}/redemptions/{redemption.pk}/fulfil/", {"code": redemption.code})
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled"


def test_the_counter_is_for_staff_of_that_community(community, other_staff, resident):
    assert browser(other_staff).get(f"/communities/{community.pk}/points/").status_code == 403
    assert browser(resident).get(f"/communities/{community.pk}/points/").status_code == 403


def test_staff_create_a_reward_from_the_page(community, staff):
    response = browser(staff).post(
        f"/communities/{community.pk}/rewards/new/", {"name": "食用油", "cost": 80, "stock": 20, "per_person_limit": 1, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Reward.objects.get().name == "食用油"


def test_residents_cannot_open_the_reward_form(community, resident):
    assert browser(resident).get(f"/communities/{community.pk}/rewards/new/").status_code == 403


def test_staff_award_and_set_rules_from_the_counter(funded, staff, resident):
    client = browser(staff)
    client.post(f"/communities/{funded.pk}/points/rules/", {"daily_cap": 15, "lifetime_cap": "", "reservation_days": 5})
    client.post(f"/communities/{funded.pk}/points/award/", {"person": "resident", "amount": 20, "reason": "清扫楼道"})
    assert person_balance(resident) == 15
    assert funded.points_rule.reservation_days == 5


def test_the_superuser_budgets_from_the_counter(community, superuser):
    browser(superuser).post(f"/communities/{community.pk}/points/budget/", {"amount": 800, "memo": "2026年第四季度"})
    assert services.pool_account(community).balance == 800


def test_the_kept_give_form_offers_each_persons_own_communities_in_their_language(give, volunteer, staff, other_community):
    """The empty "give points" form is drawn once per content (points/views.py): a person who joins
    another community finds it in the form at once, another language draws it in that language, and
    a staff member's box searches by name where a volunteer's asks for a whole number."""
    from accounts.models import Membership

    give(volunteer, 5)
    first = browser(volunteer).get("/points/").content.decode()
    assert other_community.name not in first and "完整手机号" in first and "姓名" not in first
    Membership.objects.create(user=volunteer, community=other_community, role="volunteer")
    assert f'<option value="{other_community.pk}">{other_community.name}</option>' in browser(volunteer).get("/points/").content.decode()
    assert "Whole phone number" in browser(volunteer, language="en").get("/points/").content.decode()
    give(staff, 5)
    assert "姓名" in browser(staff).get("/points/").content.decode()


def test_statement_lines_drawn_once_each_show_their_own_figures_reason_and_community(give, volunteer, funded):
    """The statement's lines are kept once drawn ({% ledger_row %}): two lines alike but for their
    amount show their own amount and balance, the reason follows the reader's language, and a
    renamed community shows its new name on the lines already drawn."""
    give(volunteer, 30)
    give(volunteer, 12)
    rows = re.findall(r"<tr><td data-label=.*?</tr>", browser(volunteer).get("/points/").content.decode(), re.S)
    assert len(rows) == 2
    assert "+12" in rows[0] and ">42<" in rows[0] and "+30" in rows[1] and ">30<" in rows[1]
    english = browser(volunteer, language="en").get("/points/").content.decode()
    assert 'data-label="Points"' in english and 'data-label="积分"' not in english
    funded.name = "新锣旗寺社区"
    funded.save(update_fields=["name"])
    assert browser(volunteer).get("/points/").content.decode().count("新锣旗寺社区</small>") == 2

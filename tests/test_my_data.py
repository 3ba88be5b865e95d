"""A person's own data (issue #20, 个人信息保护法): take it all away as JSON, and close the account.
Closing deletes no row: the ledger still balances (points_audit), the dashboard's figures stay the
same, and the public pages no longer show the name."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, Notification, User
from dashboards.figures import Period, community_figures
from funds.models import Donation
from marketplace import services as market
from marketplace.models import Task
from marketplace.services import task_checkin_code
from orders import services as orders
from orders.models import Claim
from points import services as points
from points.models import Redemption, Reward
from points.selectors import person_balance
from tests.conftest import browser, error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(volunteer, community):
    """小李: a volunteer and resident with a verified service, an open claim, a reserved reward, a
    donation under their name and a public comment."""
    volunteer.display_name, volunteer.email = "小李", "li@example.cn"
    volunteer.set_password("li-password-2026")
    volunteer.save()
    MembershipFactory(community=community, user=volunteer, role=Membership.Role.RESIDENT)
    return volunteer


@pytest.fixture
def world(person, funded, community, staff, make_task):
    done_task = make_task(title="陪伴独居老人")
    claim = orders.claim_create(actor=person, task=done_task)
    start = done_task.starts_at
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        orders.claim_check_in(actor=person, claim=claim, code=task_checkin_code(actor=staff, task=done_task)[0])
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        orders.claim_check_out(actor=person, claim=claim, code=task_checkin_code(actor=staff, task=done_task)[0])
        orders.claim_submit(actor=person, claim=claim, hours="1.50", note="读报")
        orders.claim_verify(actor=staff, claim=claim)
    later = make_task(title="清理楼道", starts_at=start + timedelta(days=3), slots=1)
    open_claim = orders.claim_create(actor=person, task=later)
    reward = points.reward_create(actor=staff, community=community, name="环保袋", cost=4, stock=5)
    redemption = points.redemption_reserve(actor=person, reward=reward, quantity=1)
    Donation.objects.create(
        community=community, donor=person, donor_name="李小明", amount=10_000, currency="cny", status=Donation.Status.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    consultation = market.consultation_open(
        actor=staff, community=community, title="加装电梯", options=["同意", "不同意"], closes_at=timezone.now() + timedelta(days=7)
    )
    market.consultation_comment(actor=person, consultation=consultation, body="同意，尽快装")
    Notification.objects.create(user=person, kind="claim_verified", message="您的服务已审核通过", url="/points/")
    return {"claim": claim, "later": later, "open_claim": open_claim, "reward": reward, "redemption": redemption, "consultation": consultation}


def test_the_export_holds_everything_about_the_person(api, person, world):
    answer = api(person).get("me/export")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert data["profile"]["display_name"] == "小李" and data["profile"]["email"] == "li@example.cn"
    assert {m["role"] for m in data["memberships"]} == {"volunteer", "resident"}
    assert [c["hours"] for c in data["claims"] if c["status"] == "verified"] == ["1.50"]
    assert data["claims"][0]["note"] == "读报"
    assert data["hours"] == {"services": 1, "hours": "1.50", "honour_hours": "0.00"}
    assert sum(line["amount"] for line in data["points"]["lines"]) == data["points"]["balance"] == person_balance(person)
    assert data["redemptions"][0]["status"] == "reserved"
    assert data["donations"][0]["donor_name"] == "李小明"
    assert data["comments"][0]["body"] == "同意，尽快装"
    # The verification's own notice (stored with the change since #27) and the one made here.
    messages = [n["message"] for n in data["notifications"]]
    assert "您的服务已审核通过" in messages and any(m.startswith("您的服务“陪伴独居老人”已审核通过") for m in messages) and len(messages) == 2
    # Nobody else's data: the staff member's export does not hold 小李's claims.
    assert api(world["consultation"].created_by).get("me/export").json()["claims"] == []


def test_the_profile_page_has_the_download(person, world):
    page = browser(person).get("/accounts/profile/").content.decode()
    assert "/accounts/my-data/" in page and "/accounts/delete/" in page
    download = browser(person).get("/accounts/my-data/")
    assert download.status_code == 200 and json.loads(download.content)["profile"]["username"] == "volunteer"


def test_a_wrong_password_closes_nothing(api, person, world):
    assert error_of(api(person).post("me/delete", {"password": "guess"})) == (400, "wrong_password")
    person.refresh_from_db()
    assert person.is_active and person.closed_at is None
    assert Claim.objects.get(pk=world["open_claim"].pk).status == "claimed"


def test_closing_the_account(api, person, world, community, staff):
    period = Period(start=timezone.localdate() - timedelta(days=60), end=timezone.localdate() + timedelta(days=30))
    with time_machine.travel(world["later"].starts_at - timedelta(days=1), tick=False):
        figures_before = community_figures(community, period)
        funds_page = browser().get(f"/communities/{community.pk}/funds/").content.decode()
        assert "李小明" in funds_page
        assert "小李" in browser().get(f"/consultations/{world['consultation'].pk}/").content.decode()
        token_client = api(person)
        answer = token_client.post("me/delete", {"password": "li-password-2026"})
        assert answer.status_code == 202
        # The ledger balances, no row is gone, and the dashboard counts the same service.
        call_command("points_audit")
        figures_after = community_figures(community, period)
    assert figures_after["hours_recorded"] == figures_before["hours_recorded"]
    assert figures_after["volunteers_active"] == figures_before["volunteers_active"]
    person = User.objects.get(pk=person.pk)
    assert Claim.objects.get(pk=world["claim"].pk).hours == Decimal("1.50")
    # Open claims withdrawn (the slot is free again), reserved rewards cancelled (points and stock back).
    assert Claim.objects.get(pk=world["open_claim"].pk).status == "withdrawn"
    later = Task.objects.get(pk=world["later"].pk)
    assert later.slots_taken == 0 and later.status == Task.Status.OPEN
    assert Redemption.objects.get(pk=world["redemption"].pk).status == "cancelled"
    assert Reward.objects.get(pk=world["reward"].pk).stock == 5
    assert person_balance(person) == 10
    # The person can no longer log in: not by password, token or session.
    assert not person.is_active and not person.has_usable_password() and person.username.startswith("deleted-")
    assert person.email == "" and person.display_name == "已注销用户"
    assert token_client.get("me").status_code == 401
    assert api().post("auth/token", {"username": "volunteer", "password": "li-password-2026"}).status_code in (400, 401)
    # The name is gone from the public pages.
    consultation_page = browser().get(f"/consultations/{world['consultation'].pk}/").content.decode()
    assert "小李" not in consultation_page and "已注销用户" in consultation_page
    assert "Deleted user" in browser(language="en").get(f"/consultations/{world['consultation'].pk}/").content.decode()
    funds_page = browser().get(f"/communities/{community.pk}/funds/").content.decode()
    assert "李小明" not in funds_page
    assert browser().get(f"/api/v1/volunteers/{person.pk}/reputation").status_code == 404
    # Staff still see the service in their records, under the neutral name.
    assert "已注销用户" in browser(staff).get(f"/tasks/{world['claim'].task_id}/").content.decode()


def test_the_delete_page_asks_for_confirmation(person, world):
    client = browser(person)
    assert "无法撤销" in client.get("/accounts/delete/").content.decode()
    unconfirmed = client.post("/accounts/delete/", {"password": "li-password-2026"})
    assert unconfirmed.status_code == 400 and "请勾选" in unconfirmed.content.decode()
    wrong = client.post("/accounts/delete/", {"password": "nope", "confirm": "yes"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    person.refresh_from_db()
    assert person.is_active
    done = client.post("/accounts/delete/", {"password": "li-password-2026", "confirm": "yes"}, follow=True)
    assert "您的账号已注销" in done.content.decode()
    assert client.get("/accounts/profile/").status_code == 302  # logged out
    person.refresh_from_db()
    assert person.closed_at is not None

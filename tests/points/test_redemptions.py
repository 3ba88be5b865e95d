"""The points supermarket: reserve, pick up, cancel, expire."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from points import services
from points.models import LedgerTransaction, Redemption, Reward
from points.selectors import person_balance
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_reserving_takes_points_and_stock_together_and_gives_a_code(give, volunteer, reward):
    give(volunteer, 250)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    reward.refresh_from_db()
    assert (redemption.status, redemption.points, len(redemption.code)) == ("reserved", 200, 6)
    assert reward.stock == 1
    assert person_balance(volunteer) == 50
    assert list(redemption.history.values_list("to_status", flat=True)) == ["reserved"]


def test_redeeming_more_than_the_balance_is_refused_and_the_stock_stays(give, volunteer, reward):
    give(volunteer, 99)
    with pytest.raises(Conflict) as exc:
        services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    assert exc.value.code == "insufficient_points"
    reward.refresh_from_db()
    assert reward.stock == 3 and not Redemption.objects.exists()
    assert person_balance(volunteer) == 99


def test_redeeming_more_than_the_stock_is_out_of_stock(give, volunteer, reward, staff):
    services.reward_update(actor=staff, reward=reward, name=reward.name, cost=100, stock=1, per_person_limit=None)
    give(volunteer, 1000)
    with pytest.raises(Conflict) as exc:
        services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    assert exc.value.code == "out_of_stock"
    assert person_balance(volunteer) == 1000


def test_the_per_person_limit_counts_earlier_reservations(give, volunteer, reward):
    give(volunteer, 1000)
    services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    with pytest.raises(Conflict) as exc:
        services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    assert exc.value.code == "limit_reached"
    assert person_balance(volunteer) == 800


def test_a_cancelled_reservation_does_not_count_towards_the_limit(give, volunteer, reward):
    give(volunteer, 1000)
    first = services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    services.redemption_cancel(actor=volunteer, redemption=first)
    services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    assert person_balance(volunteer) == 800


def test_a_reward_of_another_community_cannot_be_redeemed(give, volunteer, other_community, other_staff):
    give(volunteer, 1000)
    foreign = services.reward_create(actor=other_staff, community=other_community, name="毛巾", cost=10, stock=5)
    with pytest.raises(PermissionDenied) as exc:
        services.redemption_reserve(actor=volunteer, reward=foreign, quantity=1)
    assert exc.value.code == "not_a_member"
    assert not Redemption.objects.exists()


def test_a_reward_off_the_shelf_or_out_of_its_dates_cannot_be_redeemed(give, volunteer, reward, staff):
    give(volunteer, 1000)
    tomorrow = timezone.now() + timedelta(days=1)
    services.reward_update(actor=staff, reward=reward, name=reward.name, cost=100, stock=3, active_from=tomorrow)
    with pytest.raises(Conflict) as exc:
        services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    assert exc.value.code == "reward_unavailable"


def test_staff_fulfil_with_the_right_code_only(give, volunteer, reward, staff):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with pytest.raises(ValidationFailed) as exc:
        services.redemption_fulfil(actor=staff, redemption=redemption, code="WRONG1")
    assert exc.value.code == "invalid_code"
    redemption.refresh_from_db()
    assert redemption.status == "reserved"
    done = services.redemption_fulfil(actor=staff, redemption=redemption, code=redemption.code.lower())
    assert done.status == "fulfilled" and done.closed_by == staff


def test_staff_of_another_community_cannot_fulfil(give, volunteer, reward, other_staff):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with pytest.raises(PermissionDenied):
        services.redemption_fulfil(actor=other_staff, redemption=redemption, code=redemption.code)


def test_cancelling_returns_points_and_stock_once(give, volunteer, reward):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    services.redemption_cancel(actor=volunteer, redemption=redemption)
    services.redemption_cancel(actor=volunteer, redemption=redemption)  # a retry
    reward.refresh_from_db()
    assert reward.stock == 3
    assert person_balance(volunteer) == 100
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_a_fulfilled_redemption_cannot_be_cancelled(give, volunteer, reward, staff):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    services.redemption_fulfil(actor=staff, redemption=redemption, code=redemption.code)
    with pytest.raises(Conflict) as exc:
        services.redemption_cancel(actor=volunteer, redemption=redemption)
    assert exc.value.code == "invalid_transition"
    assert person_balance(volunteer) == 0


def test_someone_else_cannot_cancel_my_reservation(give, volunteer, resident, reward):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with pytest.raises(PermissionDenied):
        services.redemption_cancel(actor=resident, redemption=redemption)


def test_uncollected_reservations_expire_and_return_everything_once(give, volunteer, reward, capsys):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    Redemption.objects.filter(pk=redemption.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_redemptions")
    call_command("expire_redemptions")
    assert "expired 1" in capsys.readouterr().out
    redemption.refresh_from_db()
    reward.refresh_from_db()
    assert redemption.status == "expired" and reward.stock == 3
    assert person_balance(volunteer) == 100
    call_command("points_audit")


def test_redeeming_points_never_touches_anything_but_points(give, volunteer, reward):
    # Hours live with claims, not in the ledger: redeeming moves points between accounts only.
    give(volunteer, 100)
    services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    assert set(LedgerTransaction.objects.values_list("kind", flat=True)) == {"budget", "award", "redemption"}


def test_only_staff_of_the_community_manage_rewards(community, resident, other_staff):
    for actor in (resident, other_staff):
        with pytest.raises(PermissionDenied):
            services.reward_create(actor=actor, community=community, name="x", cost=1, stock=1)
    assert not Reward.objects.exists()


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"name": " ", "cost": 1, "stock": 1}, "required"),
        ({"name": "x", "cost": 0, "stock": 1}, "invalid_cost"),
        ({"name": "x", "cost": 1, "stock": -1}, "invalid_stock"),
        ({"name": "x", "cost": 1, "stock": 1, "per_person_limit": 0}, "invalid_limit"),
    ],
)
def test_bad_reward_fields_are_refused(community, staff, fields, code):
    with pytest.raises(ValidationFailed) as exc:
        services.reward_create(actor=staff, community=community, **fields)
    assert exc.value.code == code
    assert not Reward.objects.exists()


def test_a_real_png_is_stored_under_a_safe_name(community, staff):
    png = SimpleUploadedFile("../../evil.html", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="text/html")
    reward = services.reward_create(actor=staff, community=community, name="x", cost=1, stock=1, picture=png)
    assert reward.picture.name.endswith(".png") and "evil" not in reward.picture.name


def test_a_reward_picture_must_be_a_small_image(community, staff):
    script = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.reward_create(actor=staff, community=community, name="x", cost=1, stock=1, picture=script)
    assert exc.value.code == "invalid_file_type"
    huge = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.reward_create(actor=staff, community=community, name="x", cost=1, stock=1, picture=huge)
    assert exc.value.code == "file_too_large"


def test_each_community_keeps_its_own_points(give, volunteer, other_community, superuser, other_staff):
    give(volunteer, 100)
    MembershipFactory(user=volunteer, community=other_community, role="volunteer")
    foreign = services.reward_create(actor=other_staff, community=other_community, name="毛巾", cost=10, stock=5)
    with pytest.raises(Conflict) as exc:
        services.redemption_reserve(actor=volunteer, reward=foreign, quantity=1)
    assert exc.value.code == "insufficient_points"


# --- #28: staff cancelling someone's reservation ask for a reason and tell them --------------------------
def test_staff_cancelling_a_reservation_must_give_a_reason_and_nothing_moves_without_one(give, volunteer, reward, staff):
    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with pytest.raises(ValidationFailed) as exc:
        services.redemption_cancel(actor=staff, redemption=redemption, reason="  ")
    assert (exc.value.code, exc.value.field) == ("required", "reason")
    redemption.refresh_from_db()
    assert redemption.status == "reserved" and person_balance(volunteer) == 0


def test_the_person_is_told_why_staff_cancelled_in_their_own_language(give, volunteer, reward, staff, django_capture_on_commit_callbacks):
    from django.utils import translation

    from accounts.models import Notification

    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_cancel(actor=staff, redemption=redemption, reason="大米受潮，换一袋再约")
    told = Notification.objects.get(user=volunteer)
    assert (told.code, told.url, told.params["reason"]) == ("redemption_cancelled", "/points/", "大米受潮，换一袋再约")
    with translation.override("zh-hans"):
        assert "工作人员取消了您预约的大米 5kg × 1，100 积分已退回。原因：大米受潮，换一袋再约" == told.text
    with translation.override("en"):
        assert told.text.startswith("Staff cancelled your reservation of 大米 5kg × 1; the 100 points are back.")
    assert person_balance(volunteer) == 100


def test_the_owner_cancels_their_own_reservation_without_a_reason_and_is_not_notified(give, volunteer, reward, django_capture_on_commit_callbacks):
    from accounts.models import Notification

    give(volunteer, 100)
    redemption = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_cancel(actor=volunteer, redemption=redemption)
    assert not Notification.objects.filter(user=volunteer, code="redemption_cancelled").exists()


def test_the_counter_asks_before_cancelling_and_the_api_takes_the_reason(give, volunteer, reward, staff, api):
    from tests.conftest import browser, error_of

    give(volunteer, 200)
    first = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    counter = browser(staff).get(f"/communities/{reward.community_id}/points/").content.decode()
    assert f'href="/redemptions/{first.pk}/cancel/"' in counter  # a link to a second look, not a one-tap form
    look = browser(staff).get(f"/redemptions/{first.pk}/cancel/")
    assert look.status_code == 200 and "确定取消这个预约吗？" in look.content.decode() and 'name="reason"' in look.content.decode()
    refused = browser(staff).post(f"/redemptions/{first.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 400 and "请说明取消预约的原因" in refused.content.decode()
    first.refresh_from_db()
    assert first.status == "reserved"
    assert browser(staff).post(f"/redemptions/{first.pk}/cancel/", {"reason": "缺货"}).status_code == 302
    first.refresh_from_db()
    assert first.status == "cancelled"
    second = services.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    assert error_of(api(staff).post(f"redemptions/{second.pk}/cancel")) == (400, "required")
    assert api(staff).post(f"redemptions/{second.pk}/cancel", {"reason": "缺货"}).json()["status"] == "cancelled"

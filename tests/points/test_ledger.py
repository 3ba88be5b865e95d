"""The ledger itself: balanced, append-only, never negative, idempotent, auditable."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from core.errors import Conflict, PermissionDenied, ValidationFailed
from points import services
from points.models import AppendOnlyError, LedgerEntry, LedgerTransaction, PointsAccount
from points.selectors import community_summary, person_balance

pytestmark = pytest.mark.django_db


def test_a_budget_moves_points_from_the_district_to_the_pool(community, superuser):
    services.points_budget(actor=superuser, community=community, amount=5000)
    assert services.pool_account(community).balance == 5000
    assert services.district_account().balance == -5000
    tx = LedgerTransaction.objects.get()
    assert tx.kind == "budget" and tx.actor == superuser
    assert sum(tx.entries.values_list("amount", flat=True)) == 0


def test_only_the_district_admin_budgets(community, staff):
    with pytest.raises(PermissionDenied):
        services.points_budget(actor=staff, community=community, amount=100)
    assert not LedgerTransaction.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_budget_amounts_must_be_positive_whole_numbers(community, superuser, amount):
    with pytest.raises(ValidationFailed):
        services.points_budget(actor=superuser, community=community, amount=amount)
    assert not LedgerTransaction.objects.exists()


def test_an_award_is_paid_from_the_pool_once_whatever_the_retries(funded, volunteer):
    for _ in range(3):
        result = services.points_award(actor=None, community=funded, user=volunteer, amount=30, idempotency_key="claim:7:verify")
    assert result.awarded == 30 and not result.created
    assert person_balance(volunteer) == 30
    assert services.pool_account(funded).balance == 10_000 - 30
    assert LedgerTransaction.objects.filter(kind="award").count() == 1


def test_an_award_larger_than_the_pool_is_refused_and_nothing_moves(community, superuser, volunteer):
    services.points_budget(actor=superuser, community=community, amount=10)
    with pytest.raises(Conflict) as exc:
        services.points_award(actor=None, community=community, user=volunteer, amount=11, idempotency_key="k1")
    assert exc.value.code == "insufficient_pool_points"
    assert person_balance(volunteer) == 0
    assert services.pool_account(community).balance == 10
    assert not LedgerTransaction.objects.filter(kind="award").exists()


def test_the_daily_cap_cuts_an_award_and_says_so(funded, volunteer, staff):
    services.rule_update(actor=staff, community=funded, daily_cap=50, lifetime_cap=None, reservation_days=7)
    first = services.points_award(actor=None, community=funded, user=volunteer, amount=40, idempotency_key="a1")
    second = services.points_award(actor=None, community=funded, user=volunteer, amount=40, idempotency_key="a2")
    third = services.points_award(actor=None, community=funded, user=volunteer, amount=40, idempotency_key="a3")
    assert (first.awarded, first.capped) == (40, False)
    assert (second.awarded, second.capped) == (10, True)
    assert "40" in second.message and "10" in second.message
    assert (third.awarded, third.transaction) == (0, None)
    assert person_balance(volunteer) == 50


def test_the_lifetime_cap_holds_across_days(funded, volunteer, staff):
    services.rule_update(actor=staff, community=funded, daily_cap=None, lifetime_cap=60, reservation_days=7)
    services.points_award(actor=None, community=funded, user=volunteer, amount=50, idempotency_key="b1")
    LedgerEntry.objects.filter(account__user=volunteer)  # entries are what the cap counts
    result = services.points_award(actor=None, community=funded, user=volunteer, amount=50, idempotency_key="b2")
    assert result.awarded == 10


def test_staff_award_a_member_with_a_reason(funded, staff, resident):
    result = services.points_award_by_staff(actor=staff, community=funded, user=resident, amount=20, reason="参加文明养犬议事会")
    assert result.awarded == 20
    assert LedgerTransaction.objects.get(kind="award").memo == "参加文明养犬议事会"


def test_staff_cannot_award_themselves_or_outsiders(funded, staff, outsider, other_staff):
    with pytest.raises(PermissionDenied):
        services.points_award_by_staff(actor=staff, community=funded, user=staff, amount=20, reason="x")
    with pytest.raises(ValidationFailed):
        services.points_award_by_staff(actor=staff, community=funded, user=outsider, amount=20, reason="x")
    with pytest.raises(PermissionDenied):
        services.points_award_by_staff(actor=other_staff, community=funded, user=staff, amount=20, reason="x")
    assert not LedgerTransaction.objects.filter(kind="award").exists()


def test_a_transfer_shows_on_both_statements(funded, give, volunteer, resident):
    give(volunteer, 100)
    services.points_transfer(actor=volunteer, community=funded, amount=30, to_user=resident)
    assert (person_balance(volunteer), person_balance(resident)) == (70, 30)
    tx = LedgerTransaction.objects.get(kind="transfer")
    assert sorted(tx.entries.values_list("amount", flat=True)) == [-30, 30]


def test_points_can_be_given_back_to_the_pool(funded, give, volunteer):
    give(volunteer, 100)
    services.points_transfer(actor=volunteer, community=funded, amount=100, to_pool=True)
    assert person_balance(volunteer) == 0
    assert services.pool_account(funded).balance == 10_000


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"amount": 10, "to_self": True}, "invalid_recipient"),
        ({"amount": 0}, "invalid_amount"),
        ({"amount": -5}, "invalid_amount"),
        ({"amount": 10, "outsider": True}, "invalid_recipient"),
        ({"amount": 10, "to_pool_too": True}, "invalid_recipient"),
    ],
)
def test_bad_transfers_are_refused_and_write_nothing(funded, give, volunteer, resident, outsider, kwargs, code):
    give(volunteer, 100)
    before = LedgerTransaction.objects.count()
    to_user = volunteer if kwargs.get("to_self") else outsider if kwargs.get("outsider") else resident
    with pytest.raises(ValidationFailed) as exc:
        services.points_transfer(actor=volunteer, community=funded, amount=kwargs["amount"], to_user=to_user, to_pool=kwargs.get("to_pool_too", False))
    assert exc.value.code == code
    assert LedgerTransaction.objects.count() == before
    assert person_balance(volunteer) == 100


def test_a_transfer_of_more_than_the_balance_is_409(funded, give, volunteer, resident):
    give(volunteer, 10)
    with pytest.raises(Conflict) as exc:
        services.points_transfer(actor=volunteer, community=funded, amount=11, to_user=resident)
    assert exc.value.code == "insufficient_points"
    assert person_balance(volunteer) == 10 and person_balance(resident) == 0


def test_ledger_rows_cannot_be_changed_or_deleted_in_code(funded):
    entry = LedgerEntry.objects.first()
    entry.amount = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().update(amount=1)
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.all().delete()


def test_the_database_refuses_to_rewrite_a_ledger_row(funded):
    entry = LedgerEntry.objects.first()
    with pytest.raises(Exception) as exc, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE points_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    assert "append-only" in str(exc.value)


def test_the_database_refuses_a_negative_personal_balance(funded, volunteer):
    account = services.person_account(volunteer, funded)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=account.pk).update(balance=-1)


def test_the_audit_passes_on_a_sound_ledger(funded, give, volunteer, capsys):
    give(volunteer, 40)
    call_command("points_audit")
    assert "points audit OK" in capsys.readouterr().out


def test_the_audit_fails_with_a_report_when_a_cached_balance_drifts(funded, give, volunteer, capsys):
    give(volunteer, 40)
    PointsAccount.objects.filter(user=volunteer).update(balance=41)  # what a bug elsewhere could do
    with pytest.raises(SystemExit) as exc:
        call_command("points_audit")
    assert exc.value.code == 1
    report = capsys.readouterr().err
    assert "cached balance 41 but entries sum to 40" in report


def test_the_community_summary_adds_up(funded, give, volunteer, resident, reward):
    give(volunteer, 300)
    give(resident, 50)
    services.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    summary = community_summary(funded)
    assert summary == {
        "community_id": funded.pk,
        "pool": 10_000 - 350,
        "budgeted": 10_000,
        "issued": 350,
        "redeemed": 200,
        "outstanding": 150,
        "reserved_redemptions": 1,
    }

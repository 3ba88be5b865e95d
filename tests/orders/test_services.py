"""A claim from sign-up to verified hours, and reviews."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Notification
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim, Review
from orders.services import task_cancel
from points.models import LedgerTransaction
from points.selectors import person_balance
from tests.factories import MembershipFactory, OrganizationFactory, OrganizationMemberFactory

pytestmark = pytest.mark.django_db


def at(task, minutes: int):
    """time_machine travel to the task's start plus (or minus) some minutes."""
    return time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False)


def delivered(task, volunteer, staff, *, out_at=105):
    """Claim, check in 10 minutes early, check out at start + out_at minutes, submit."""
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, -10):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_in(actor=volunteer, claim=claim, code=code)
    with at(task, out_at):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_out(actor=volunteer, claim=claim, code=code)
        services.claim_submit(actor=volunteer, claim=claim, note="陪老人聊天两小时")
    claim.refresh_from_db()
    return claim


# --- claiming ---------------------------------------------------------------------------------------
def test_a_volunteer_claims_a_slot(task, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    task.refresh_from_db()
    assert claim.status == "claimed" and task.slots_taken == 1 and task.status == "open"


def test_the_last_slot_fills_the_task_and_a_withdrawal_reopens_it(task, volunteer, community):
    other = MembershipFactory(community=community, role="volunteer").user
    services.claim_create(actor=volunteer, task=task)
    claim = services.claim_create(actor=other, task=task)
    task.refresh_from_db()
    assert (task.slots_taken, task.status) == (2, "full")
    services.claim_withdraw(actor=other, claim=claim)
    task.refresh_from_db()
    assert (task.slots_taken, task.status) == (1, "open")


def test_a_full_task_refuses_claims_with_task_full(make_task, volunteer, community):
    task = make_task(slots=1)
    services.claim_create(actor=MembershipFactory(community=community, role="volunteer").user, task=task)
    with pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=task)
    assert exc.value.code == "task_full"
    assert Claim.objects.count() == 1


def test_claiming_twice_is_already_claimed(task, volunteer):
    services.claim_create(actor=volunteer, task=task)
    with pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=task)
    assert exc.value.code == "already_claimed"
    task.refresh_from_db()
    assert task.slots_taken == 1


def test_the_holder_of_the_last_slot_is_told_it_is_theirs_not_that_the_task_is_full(make_task, volunteer):
    task = make_task(slots=1)
    services.claim_create(actor=volunteer, task=task)
    task.refresh_from_db()
    assert task.status == "full"
    with pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=task)
    assert exc.value.code == "already_claimed"


def test_a_slot_freed_after_the_caller_read_the_task_can_be_taken(make_task, volunteer, community):
    task = make_task(slots=1)
    first = services.claim_create(actor=MembershipFactory(community=community, role="volunteer").user, task=task)
    task.refresh_from_db()  # the caller's copy says full
    services.claim_withdraw(actor=first.user, claim=first)
    claim = services.claim_create(actor=volunteer, task=task)
    assert claim.status == Claim.Status.CLAIMED


def test_overlapping_claims_are_refused(make_task, volunteer, task):
    services.claim_create(actor=volunteer, task=task)
    overlapping = make_task(starts_at=task.starts_at + timedelta(hours=1), ends_at=task.ends_at + timedelta(hours=1))
    with pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=overlapping)
    assert exc.value.code == "overlapping_claim"
    back_to_back = make_task(starts_at=task.ends_at, ends_at=task.ends_at + timedelta(hours=1))
    assert services.claim_create(actor=volunteer, task=back_to_back).status == "claimed"


def test_cancelled_past_and_other_community_tasks_cannot_be_claimed(make_task, staff, volunteer, other_community, other_staff):
    cancelled = make_task()
    task_cancel(actor=staff, task=cancelled)
    with pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=cancelled)
    assert exc.value.code == "task_not_open"
    started = make_task()
    with at(started, 5), pytest.raises(Conflict) as exc:
        services.claim_create(actor=volunteer, task=started)
    assert exc.value.code == "task_not_open"
    foreign = make_task(community=other_community, actor=other_staff)
    with pytest.raises(PermissionDenied) as exc:
        services.claim_create(actor=volunteer, task=foreign)
    assert exc.value.code == "not_a_volunteer"
    assert not Claim.objects.exists()


def test_a_resident_who_is_not_a_volunteer_cannot_claim(task, resident):
    with pytest.raises(PermissionDenied):
        services.claim_create(actor=resident, task=task)


def test_a_member_of_a_verified_organisation_claims_on_its_behalf(task, outsider):
    org = OrganizationFactory(status="verified")
    OrganizationMemberFactory(organization=org, user=outsider)
    claim = services.claim_create(actor=outsider, task=task, organization=org)
    assert claim.organization == org


def test_an_unverified_organisation_cannot_take_orders(task, outsider):
    org = OrganizationFactory(status="pending")
    OrganizationMemberFactory(organization=org, user=outsider)
    with pytest.raises(PermissionDenied) as exc:
        services.claim_create(actor=outsider, task=task, organization=org)
    assert exc.value.code == "organization_not_verified"


def test_withdrawing_after_the_start_is_too_late(task, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, 1), pytest.raises(Conflict) as exc:
        services.claim_withdraw(actor=volunteer, claim=claim)
    assert exc.value.code == "too_late"


def test_cancelling_a_task_withdraws_claims_and_tells_the_claimants(task, staff, volunteer):
    from django.test import TestCase

    claim = services.claim_create(actor=volunteer, task=task)
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_cancel(actor=staff, task=task, reason="暴雨")
    claim.refresh_from_db()
    task.refresh_from_db()
    assert claim.status == "withdrawn" and task.slots_taken == 0
    assert Notification.objects.get(user=volunteer).kind == "task_cancelled"


# --- delivering --------------------------------------------------------------------------------------
def test_a_whole_delivery_credits_hours_and_pays_points_once(task, funded, staff, volunteer):
    claim = delivered(task, volunteer, staff, out_at=105)
    assert claim.status == "submitted"
    assert claim.credited_hours == Decimal("1.75")  # from 09:00 (not the early check-in) to 10:45
    assert claim.submitted_hours == Decimal("1.75")
    for _ in range(3):
        verified = services.claim_verify(actor=staff, claim=claim, honour_hours="0.5")
    assert verified.status == "verified" and verified.points_awarded == 10
    assert verified.honour_hours == Decimal("0.50") and verified.credited_hours == Decimal("1.75")
    assert person_balance(volunteer) == 10
    assert LedgerTransaction.objects.filter(kind="award").count() == 1
    assert list(verified.history.values_list("to_status", flat=True)) == ["claimed", "checked_in", "submitted", "verified"]


def test_check_in_needs_the_current_code(task, staff, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, 0):
        with pytest.raises(ValidationFailed) as exc:
            services.claim_check_in(actor=volunteer, claim=claim, code="000000" if task_checkin_code(actor=staff, task=task)[0] != "000000" else "111111")
        assert exc.value.code == "invalid_code"
    claim.refresh_from_db()
    assert claim.status == "claimed"


def test_check_in_outside_the_window_is_refused(task, staff, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    for minutes in (-31, 121):
        with at(task, minutes):
            code, _ = task_checkin_code(actor=staff, task=task)
            with pytest.raises(Conflict) as exc:
                services.claim_check_in(actor=volunteer, claim=claim, code=code)
            assert exc.value.code == "outside_window"


def test_submitting_more_hours_than_the_task_lasts_is_refused(task, staff, volunteer):
    claim = services.claim_create(actor=volunteer, task=task)
    with at(task, 0):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_in(actor=volunteer, claim=claim, code=code)
    with at(task, 60):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_out(actor=volunteer, claim=claim, code=code)
        with pytest.raises(ValidationFailed) as exc:
            services.claim_submit(actor=volunteer, claim=claim, hours="2.5")
    assert exc.value.code == "too_many_hours"
    claim.refresh_from_db()
    assert claim.status == "checked_in"


def test_staff_cannot_verify_their_own_claim(task, funded, staff, community):
    MembershipFactory(user=staff, community=community, role="volunteer")
    claim = delivered(task, staff, staff)
    with pytest.raises(PermissionDenied) as exc:
        services.claim_verify(actor=staff, claim=claim)
    assert exc.value.code == "own_claim"
    assert person_balance(staff) == 0


def test_honour_hours_are_capped_by_the_task_length(task, funded, staff, volunteer):
    claim = delivered(task, volunteer, staff)
    with pytest.raises(ValidationFailed) as exc:
        services.claim_verify(actor=staff, claim=claim, honour_hours="2.01")
    assert exc.value.code == "too_many_hours"
    claim.refresh_from_db()
    assert claim.status == "submitted" and person_balance(volunteer) == 0


def test_verification_fails_cleanly_when_the_pool_is_empty(task, staff, volunteer):
    claim = delivered(task, volunteer, staff)
    with pytest.raises(Conflict) as exc:
        services.claim_verify(actor=staff, claim=claim)
    assert exc.value.code == "insufficient_pool_points"
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_rejection_needs_a_reason_and_pays_nothing(task, funded, staff, volunteer):
    claim = delivered(task, volunteer, staff)
    with pytest.raises(ValidationFailed):
        services.claim_reject(actor=staff, claim=claim, reason=" ")
    services.claim_reject(actor=staff, claim=claim, reason="未按约定上门")
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.reject_reason == "未按约定上门"
    assert person_balance(volunteer) == 0


def test_no_shows_are_marked_once_and_empty_tasks_expire(make_task, volunteer, capsys):
    task = make_task()
    empty = make_task(starts_at=task.starts_at + timedelta(hours=3), ends_at=task.ends_at + timedelta(hours=3))
    claim = services.claim_create(actor=volunteer, task=task)
    with at(empty, 200):
        call_command("mark_no_shows")
        call_command("mark_no_shows")
    out = capsys.readouterr().out
    assert "1 no-show(s)" in out and "0 no-show(s)" in out
    claim.refresh_from_db()
    empty.refresh_from_db()
    assert claim.status == "no_show" and empty.status == "expired"



def test_a_rejected_claim_and_a_no_show_no_longer_count_as_taken_slots(make_task, staff, volunteer, community):
    """slots_taken counts live claims (found by tests/test_market_invariants.py: both kept their slot)."""
    from marketplace.models import Task

    other = MembershipFactory(community=community, role="volunteer").user
    task = make_task(slots=2)
    no_show = services.claim_create(actor=other, task=task)
    rejected = delivered(task, volunteer, staff)
    services.claim_reject(actor=staff, claim=rejected, reason="未按约定上门")
    services.claim_reject(actor=staff, claim=rejected, reason="未按约定上门")  # a retry frees nothing more
    assert Task.objects.get(pk=task.pk).slots_taken == 1
    with at(task, 200):
        services.claims_mark_no_shows()
        services.claims_mark_no_shows()
    no_show.refresh_from_db()
    assert no_show.status == "no_show" and Task.objects.get(pk=task.pk).slots_taken == 0

# --- reviews -----------------------------------------------------------------------------------------
@pytest.fixture
def verified_claim(make_task, funded, staff, volunteer, resident):
    task = make_task(beneficiary=resident)
    claim = delivered(task, volunteer, staff)
    with at(task, 110):  # once the service has started
        services.claim_confirm(actor=resident, claim=claim)
    return services.claim_verify(actor=staff, claim=claim)


def test_the_beneficiary_reviews_once(verified_claim, resident, volunteer):
    review = services.review_create(actor=resident, claim=verified_claim, stars=5, comment="小李很耐心")
    assert (review.provider, review.author, review.entered_by) == (volunteer, resident, None)
    with pytest.raises(Conflict) as exc:
        services.review_create(actor=resident, claim=verified_claim, stars=1)
    assert exc.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_staff_may_enter_a_review_for_the_beneficiary_and_it_is_recorded(verified_claim, staff, resident):
    review = services.review_create(actor=staff, claim=verified_claim, stars=4, consent_note="电话回访")
    assert review.author == resident and review.entered_by == staff
    assert (review.entered_as, review.consent_note) == ("staff", "电话回访")


def test_someone_else_cannot_review(verified_claim, volunteer, community):
    other_resident = MembershipFactory(community=community, role="resident").user
    for actor in (volunteer, other_resident):
        with pytest.raises(PermissionDenied):
            services.review_create(actor=actor, claim=verified_claim, stars=1)
    assert not Review.objects.exists()


def test_an_unverified_claim_cannot_be_reviewed(make_task, volunteer, resident):
    claim = services.claim_create(actor=volunteer, task=make_task(beneficiary=resident))
    with pytest.raises(Conflict) as exc:
        services.review_create(actor=resident, claim=claim, stars=5)
    assert exc.value.code == "claim_not_verified"


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_must_be_one_to_five(verified_claim, resident, stars):
    with pytest.raises(ValidationFailed):
        services.review_create(actor=resident, claim=verified_claim, stars=stars)


def test_hidden_reviews_are_kept_with_the_reason_and_leave_the_score(verified_claim, resident, staff, volunteer):
    from orders.selectors import provider_reputation

    review = services.review_create(actor=resident, claim=verified_claim, stars=1, comment="骂人的话")
    assert provider_reputation(user=volunteer)["reviews"] == 1
    services.review_hide(actor=staff, review=review, reason="含侮辱性语言")
    review.refresh_from_db()
    assert review.hidden and review.hidden_reason == "含侮辱性语言" and review.comment == "骂人的话"
    assert provider_reputation(user=volunteer)["reviews"] == 0


def test_one_review_does_not_dominate_the_score():
    from orders.selectors import bayesian_score

    assert bayesian_score(5, 1) == Decimal("4.17")  # (4*5 + 5) / 6, not 5.00
    assert bayesian_score(50, 10) == Decimal("4.67")
    assert bayesian_score(0, 0) is None

"""Waiting lists of full tasks: joining and leaving, every refusal, and the first person waiting
taking a slot the moment one is freed (withdrawal, rejection, more slots), told at once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from accounts.models import Membership, Notification
from core.errors import Conflict, PermissionDenied
from marketplace.models import Task
from marketplace.services import TaskFields, task_checkin_code, task_update
from orders import services
from orders.models import Claim, WaitlistEntry
from tests.conftest import browser, error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _volunteers(community, n):
    return [MembershipFactory(community=community, role=Membership.Role.VOLUNTEER).user for _ in range(n)]


@pytest.fixture
def full_task(make_task, community):
    """A task with 1 slot, taken by a first volunteer."""
    task = make_task(slots=1)
    holder = _volunteers(community, 1)[0]
    claim = services.claim_create(actor=holder, task=task)
    task.refresh_from_db()
    assert task.status == Task.Status.FULL
    return task, claim


def _fields(task, **changes) -> TaskFields:
    values = {name: getattr(task, name) for name in ("title", "description", "category", "starts_at", "ends_at", "location", "slots", "points", "beneficiary", "latitude", "longitude")}
    values["skills"] = list(task.skills.values_list("name", flat=True))
    values.update(changes)
    return TaskFields(**values)


# --- Joining and leaving ---------------------------------------------------------------------------
def test_joining_a_full_task_answers_the_position_in_line(api, full_task, volunteer, community):
    task, _ = full_task
    second = _volunteers(community, 1)[0]
    r1 = api(volunteer).post(f"tasks/{task.pk}/waitlist")
    r2 = api(second).post(f"tasks/{task.pk}/waitlist")
    assert (r1.status_code, r1.json()) == (201, {"position": 1})
    assert (r2.status_code, r2.json()) == (201, {"position": 2})


def test_leaving_moves_the_next_person_up(api, full_task, volunteer, community):
    task, _ = full_task
    second = _volunteers(community, 1)[0]
    services.waitlist_join(actor=volunteer, task=task)
    services.waitlist_join(actor=second, task=task)
    response = api(volunteer).client.delete(f"/api/v1/tasks/{task.pk}/waitlist", **api(volunteer).headers)
    assert response.status_code == 204
    assert services.waitlist_position(task, volunteer) is None
    assert services.waitlist_position(task, second) == 1


def test_joining_a_task_with_a_free_slot_is_refused(api, task, volunteer):
    response = api(volunteer).post(f"tasks/{task.pk}/waitlist")
    assert error_of(response) == (409, "task_not_full")
    assert not WaitlistEntry.objects.exists()


def test_the_claimant_cannot_wait_for_their_own_task(api, full_task):
    task, claim = full_task
    response = api(claim.user).post(f"tasks/{task.pk}/waitlist")
    assert error_of(response) == (409, "already_claimed")


def test_joining_twice_is_refused(api, full_task, volunteer):
    task, _ = full_task
    assert api(volunteer).post(f"tasks/{task.pk}/waitlist").status_code == 201
    response = api(volunteer).post(f"tasks/{task.pk}/waitlist")
    assert error_of(response) == (409, "already_waiting")
    assert WaitlistEntry.objects.filter(task=task).count() == 1


def test_joining_a_task_that_started_or_was_cancelled_is_refused(api, full_task, volunteer, staff):
    task, _ = full_task
    with time_machine.travel(task.starts_at + timedelta(minutes=1)):
        assert error_of(api(volunteer).post(f"tasks/{task.pk}/waitlist")) == (409, "task_not_open")
    services.task_cancel(actor=staff, task=task)
    assert error_of(api(volunteer).post(f"tasks/{task.pk}/waitlist")) == (409, "task_not_open")


def test_a_resident_who_is_not_a_volunteer_cannot_wait(api, full_task, resident):
    task, _ = full_task
    assert error_of(api(resident).post(f"tasks/{task.pk}/waitlist")) == (403, "not_a_volunteer")


# --- Promotion ----------------------------------------------------------------------------------
def test_a_withdrawal_gives_the_slot_to_the_first_person_waiting_who_is_told(full_task, volunteer, community):
    task, claim = full_task
    second = _volunteers(community, 1)[0]
    services.waitlist_join(actor=volunteer, task=task)
    services.waitlist_join(actor=second, task=task)

    services.claim_withdraw(actor=claim.user, claim=claim)

    promoted = Claim.objects.get(task=task, user=volunteer)
    assert promoted.status == Claim.Status.CLAIMED
    task.refresh_from_db()
    assert (task.slots_taken, task.status) == (1, Task.Status.FULL)
    assert services.waitlist_position(task, volunteer) is None
    assert services.waitlist_position(task, second) == 1
    note = Notification.objects.get(user=volunteer, kind="waitlist_promoted")
    assert task.title in note.message and note.url == f"/tasks/{task.pk}/"
    with translation.override("en"):
        assert note.text.startswith(f"A slot of “{task.title}” came free and it is yours now.")


def test_a_promoted_person_declines_by_withdrawing_and_the_next_one_moves_up(full_task, volunteer, community):
    task, claim = full_task
    second = _volunteers(community, 1)[0]
    services.waitlist_join(actor=volunteer, task=task)
    services.waitlist_join(actor=second, task=task)
    services.claim_withdraw(actor=claim.user, claim=claim)

    services.claim_withdraw(actor=volunteer, claim=Claim.objects.get(task=task, user=volunteer, status="claimed"))

    assert Claim.objects.get(task=task, status="claimed").user == second
    assert not WaitlistEntry.objects.filter(task=task).exists()


def test_people_who_no_longer_qualify_are_skipped_and_told_why(full_task, volunteer, community, make_task):
    task, claim = full_task
    busy, left, ready = _volunteers(community, 3)
    for person in (busy, left, ready):
        services.waitlist_join(actor=person, task=task)
    # busy took another task at the same time; left stopped volunteering here.
    services.claim_create(actor=busy, task=make_task(title="同一时间的另一件事"))
    Membership.objects.filter(user=left, community=community).delete()

    services.claim_withdraw(actor=claim.user, claim=claim)

    assert Claim.objects.get(task=task, status="claimed").user == ready
    assert not WaitlistEntry.objects.filter(task=task).exists()
    assert "同一时间的另一件事" in Notification.objects.get(user=busy, kind="waitlist_dropped").message
    assert Notification.objects.filter(user=left, kind="waitlist_dropped").exists()


def test_a_rejection_before_the_start_gives_the_slot_to_the_first_person_waiting(full_task, volunteer, staff):
    task, claim = full_task
    services.waitlist_join(actor=volunteer, task=task)
    with time_machine.travel(task.starts_at - timedelta(minutes=20), tick=False):
        code, _ = task_checkin_code(actor=staff, task=task)
        services.claim_check_in(actor=claim.user, claim=claim, code=code)
        services.claim_reject(actor=staff, claim=claim, reason="没有来现场，代签")
    assert Claim.objects.get(task=task, user=volunteer).status == Claim.Status.CLAIMED
    task.refresh_from_db()
    assert (task.slots_taken, task.status) == (1, Task.Status.FULL)


def test_a_no_show_after_the_end_closes_the_waiting_list_and_tells_the_people_waiting(full_task, volunteer):
    task, claim = full_task
    services.waitlist_join(actor=volunteer, task=task)
    with time_machine.travel(task.ends_at + timedelta(minutes=1), tick=False):
        services.claims_mark_no_shows()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NO_SHOW
    # The task is over: nobody is made a claimant of it, and the person waiting is told.
    assert not Claim.objects.filter(task=task, user=volunteer).exists()
    assert not WaitlistEntry.objects.filter(task=task).exists()
    assert Notification.objects.filter(user=volunteer, kind="waitlist_dropped").exists()


def test_more_slots_go_to_the_people_waiting_in_order(full_task, volunteer, community, staff):
    task, _ = full_task
    second, third = _volunteers(community, 2)
    for person in (volunteer, second, third):
        services.waitlist_join(actor=person, task=task)

    task_update(actor=staff, task=task, fields=_fields(task, slots=3))

    task.refresh_from_db()
    assert (task.slots, task.slots_taken, task.status) == (3, 3, Task.Status.FULL)
    assert set(Claim.objects.filter(task=task, status="claimed").values_list("user", flat=True)) >= {volunteer.pk, second.pk}
    assert services.waitlist_position(task, third) == 1


def test_a_claimed_task_can_still_get_more_slots_but_nothing_else(full_task, staff):
    task, _ = full_task
    with pytest.raises(Conflict) as refused:
        task_update(actor=staff, task=task, fields=_fields(task, title="改了标题", slots=3))
    assert refused.value.code == "task_has_claims"
    task_update(actor=staff, task=task, fields=_fields(task, slots=2))
    task.refresh_from_db()
    assert (task.slots, task.status) == (2, Task.Status.OPEN)


def test_cancelling_the_task_tells_the_people_waiting(full_task, volunteer, staff):
    task, _ = full_task
    services.waitlist_join(actor=volunteer, task=task)
    services.task_cancel(actor=staff, task=task, reason="下雨")
    assert not WaitlistEntry.objects.filter(task=task).exists()
    note = Notification.objects.get(user=volunteer, kind="waitlist_dropped")
    # Stored as a code, so it reads in the language of whoever reads it.
    with translation.override("en"):
        assert note.text == f"You were taken off the waiting list of “{task.title}”: the task was cancelled."
    with translation.override("zh-hans"):
        assert note.text == f"您已被移出“{task.title}”的候补名单：任务已取消。"


def test_claiming_a_freed_slot_directly_takes_the_person_off_the_list(full_task, volunteer, staff):
    task, _ = full_task
    services.waitlist_join(actor=volunteer, task=task)
    WaitlistEntry.objects.filter(task=task).delete()  # nobody waiting any more ...
    task_update(actor=staff, task=task, fields=_fields(task, slots=2))  # ... so the new slot stays free
    WaitlistEntry.objects.create(task=task, user=volunteer)  # (an entry left from before)
    services.claim_create(actor=volunteer, task=task)
    assert not WaitlistEntry.objects.filter(task=task, user=volunteer).exists()


def test_a_non_volunteer_cannot_join(full_task, outsider):
    task, _ = full_task
    with pytest.raises(PermissionDenied):
        services.waitlist_join(actor=outsider, task=task)


# --- Pages --------------------------------------------------------------------------------------
def test_the_task_page_offers_the_waiting_list_and_shows_my_place(full_task, volunteer, staff):
    task, _ = full_task
    page = browser(volunteer, "en").get(f"/tasks/{task.pk}/")
    assert "Join the waiting list" in page.content.decode()
    response = browser(volunteer, "en").post(f"/tasks/{task.pk}/waitlist/", follow=True)
    html = response.content.decode()
    assert "You are number 1 on the waiting list." in html and "Leave the waiting list" in html
    staff_page = browser(staff, "en").get(f"/tasks/{task.pk}/").content.decode()
    assert "Waiting list" in staff_page and volunteer.shown_name in staff_page
    browser(volunteer, "en").post(f"/tasks/{task.pk}/waitlist/leave/")
    assert services.waitlist_position(task, volunteer) is None


def test_the_task_page_in_chinese_offers_the_waiting_list(full_task, volunteer):
    task, _ = full_task
    page = browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
    assert "加入候补" in page


def test_the_no_show_sweep_run_for_a_later_clock_promotes_nobody_onto_the_ended_task(full_task, volunteer):
    """The sweep's own clock decides, not the wall clock: a no-show found after the task's end frees a
    slot nobody can use any more, and the list closes (the market state machine found a waiting
    person promoted onto an ended task when the sweep ran with tomorrow's clock)."""
    task, claim = full_task
    services.waitlist_join(actor=volunteer, task=task)
    no_shows, _expired = services.claims_mark_no_shows(now=task.ends_at + timedelta(hours=1))
    claim.refresh_from_db()
    assert no_shows == 1 and claim.status == Claim.Status.NO_SHOW
    assert not Claim.objects.filter(task=task, user=volunteer).exists()  # not promoted onto it
    assert not WaitlistEntry.objects.filter(task=task).exists()  # the list closed

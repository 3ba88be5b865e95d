"""Withdrawals and joins at once on a full task, with real threads on a real database: every freed
slot goes to the first person waiting, in order, and nobody holds two places."""

import threading
from datetime import timedelta

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import Membership
from marketplace.models import Task
from marketplace.services import TaskFields, task_create
from orders import services
from orders.models import Claim, WaitlistEntry
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
SLOTS = 10


def test_twenty_concurrent_withdrawals_and_joins_fill_every_slot_from_the_list_in_order():
    community = CommunityFactory()
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    start = timezone.now() + timedelta(days=1)
    task = task_create(actor=staff, community=community, fields=TaskFields(
        title="四点半课堂", description="", category="education", starts_at=start, ends_at=start + timedelta(hours=2),
        location="社区活动室", slots=SLOTS, points=0, skills=[], beneficiary=None,
    ))
    people = [MembershipFactory(community=community, role=Membership.Role.VOLUNTEER).user for _ in range(3 * SLOTS)]
    holders, early, late = people[:SLOTS], people[SLOTS:2 * SLOTS], people[2 * SLOTS:]
    claims = [services.claim_create(actor=p, task=task) for p in holders]
    for person in early:
        services.waitlist_join(actor=person, task=task)

    # Every entry as it is written, from whichever thread: the order of the line.
    written, lock = [], threading.Lock()

    def record(sender, instance, created, **kwargs):
        if created:
            with lock:
                written.append((instance.pk, instance.user_id))

    post_save.connect(record, sender=WaitlistEntry, weak=False)
    try:
        line_before = list(WaitlistEntry.objects.filter(task=task).order_by("id").values_list("pk", "user_id"))
        results = run_in_threads(
            2 * SLOTS,
            lambda i: services.claim_withdraw(actor=holders[i // 2], claim=claims[i // 2]) if i % 2 == 0
            else services.waitlist_join(actor=late[i // 2], task=task),
        )
    finally:
        post_save.disconnect(record, sender=WaitlistEntry)

    assert [r for r in results if isinstance(r, Exception)] == []  # no deadlock, no "database is locked"
    line = [user for _, user in sorted(line_before + written)]
    task.refresh_from_db()
    live = list(Claim.objects.filter(task=task, status__in=Claim.LIVE).order_by("id").values_list("user_id", flat=True))
    waiting = list(WaitlistEntry.objects.filter(task=task).order_by("id").values_list("user_id", flat=True))
    # Every slot filled, from the head of the line, in the order of the line; the rest still wait.
    assert (task.slots_taken, task.status) == (SLOTS, Task.Status.FULL)
    assert live == line[:SLOTS]
    assert waiting == line[SLOTS:]
    # Nobody twice: not two claims, not both claiming and waiting, and positions 1..n.
    assert len(set(live)) == len(live) and not set(live) & set(waiting)
    assert [services.waitlist_position(task, p) for p in sorted(late + early, key=lambda u: waiting.index(u.pk) if u.pk in waiting else -1) if p.pk in waiting] == list(range(1, len(waiting) + 1))

"""The marketplace as a whole, driven by Hypothesis through random sequences of real service calls.

A ``RuleBasedStateMachine`` plays one community for a while: staff post and cancel tasks, volunteers
claim, withdraw, join and leave waiting lists, check in and submit, staff verify or reject (verification pays points through the
ledger), the cron sweeps no-shows and expired reservations, the district budgets points, staff award
them, people give them to each other and redeem them in the points supermarket, donors give money
through Stripe (the PaymentIntent call is patched: nothing talks to Stripe) and Stripe's webhooks
arrive through the real ``/stripe/webhook/`` view with signed payloads: late, out of order, twice,
or with a bad signature; staff refund and spend from the fund.

After every step the invariants are checked from the database with our own queries (not through
the code under test), and against a small shadow model of what every balance and donation must be:

- per task: live claims <= slots, ``slots_taken`` equals the live claims, FULL exactly when they
  fill it; nobody holds two live claims at overlapping times; nobody is both waiting and claiming,
  and a task not started with people waiting has no free slot;
- the ledger: each transaction has 2+ legs summing to zero, each account's balance is the sum of its
  entries, no person or pool is below zero, every balance is what the model expects, a verified
  claim's points are paid once and an unverified claim's never, the sink holds what the live
  redemptions cost; ``manage.py points_audit`` (a second opinion) exits 0, and so does
  ``manage.py rollup_audit`` (the dashboards' rollups, kept by triggers, equal a recount);
- the supermarket: stock never negative, stock + what people hold = what was put on the shelf;
- donations: each delivered event is stored once, each donation is where the model says, and
  ``fund_figures`` equals succeeded-or-refunded donations minus refunds (raised) minus spending.

A refused action (full task, overdraft, out of stock...) must raise the ``ApplicationError``
subclass with the code the business rules predict, and change nothing.

Runs bounded by default (about 20-40 s on SQLite). For a longer hunt::

    MARKET_EXAMPLES=300 MARKET_STEPS=80 .venv/bin/python -m pytest tests/test_market_invariants.py -q

``MARKET_EXAMPLES`` is the number of random runs (default 25), ``MARKET_STEPS`` the steps per run
(default 50).
"""

import io
import json
import os
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import stripe
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from accounts.assistance.services import service_card_get
from accounts.models import Membership
from core.errors import ApplicationError, Conflict, PermissionDenied, RateLimited, ValidationFailed
from funds.models import Donation, Spending, StripeEvent
from funds.services import PaymentProviderError, donation_create, donation_refund, fund_figures, spending_record
from marketplace.models import Task, TaskStatusChange
from marketplace.services import TaskFields, task_checkin_code, task_create
from orders.models import Claim, ClaimStatusChange, WaitlistEntry
from orders.services import (
    claim_check_in,
    claim_check_out,
    claim_confirm,
    claim_create,
    claim_reject,
    claim_submit,
    claim_verify,
    claim_withdraw,
    claims_mark_no_shows,
    task_cancel,
    waitlist_join,
    waitlist_leave,
)
from orders.services.claims.codes import CODE_ATTEMPTS_LIMIT
from points import services as points
from points.models import LedgerEntry, LedgerTransaction, PointsAccount, Redemption, RedemptionStatusChange, Reward
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

EXAMPLES = int(os.environ.get("MARKET_EXAMPLES", "25"))
STEPS = int(os.environ.get("MARKET_STEPS", "50"))
WEBHOOK_SECRET = "whsec_market_invariants"
LIVE = Claim.LIVE
VOLUNTEERS = 3
index = st.integers(0, 50)  # picks an existing object modulo how many there are


def snapshot() -> tuple:
    """Everything a refused action must leave exactly as it was."""
    rows = lambda qs, *fields: list(qs.order_by("pk").values_list("pk", *fields))  # noqa: E731
    return (
        rows(Task.objects, "status", "slots_taken"),
        rows(Claim.objects, "status", "points_awarded", "checked_out_at", "confirmed_at", "confirmed_by_id"),
        rows(PointsAccount.objects, "balance"),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        rows(Reward.objects, "stock"),
        rows(Redemption.objects, "status"),
        rows(Donation.objects, "status", "refunded_amount"),
        StripeEvent.objects.count(),
        Spending.objects.count(),
        TaskStatusChange.objects.count(),
        ClaimStatusChange.objects.count(),
        RedemptionStatusChange.objects.count(),
        rows(WaitlistEntry.objects, "task_id", "user_id"),
    )


def refused(call, error: type[ApplicationError], code: str):
    """The call is refused with exactly this error and code, and writes nothing."""
    before = snapshot()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert isinstance(caught.value, error), f"expected {error.__name__}({code}), got {type(caught.value).__name__}({caught.value.code})"
    assert caught.value.code == code, f"expected code {code}, got {caught.value.code}"
    assert snapshot() == before, "a refused action wrote something"


def unchanged(call):
    """A retry of something already done: it succeeds quietly and writes nothing."""
    before = snapshot()
    call()
    assert snapshot() == before, "a retry wrote something"


class FakeStripe:
    """Stands in for ``stripe_client()``: remembers intents and refunds like Stripe would, no network."""

    def __init__(self, machine):
        self.machine = machine
        self.down = False
        self.v1 = SimpleNamespace(
            payment_intents=SimpleNamespace(create=self._create_intent), refunds=SimpleNamespace(create=self._refund)
        )

    def _create_intent(self, params, options=None):
        if self.down:
            raise stripe.APIConnectionError("no route to Stripe (simulated)")
        intent_id = f"pi_{uuid.uuid4().hex[:20]}"
        return SimpleNamespace(id=intent_id, client_secret=f"{intent_id}_secret_{uuid.uuid4().hex[:8]}")

    def _refund(self, params, options=None):
        self.machine.stripe_refund(params["payment_intent"], params["amount"])


class MarketMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run is a savepoint inside the test's transaction, rolled back in teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.community = CommunityFactory(name="锣旗寺社区")
        self.staff = MembershipFactory(community=self.community, role=Membership.Role.STAFF).user
        self.admin = UserFactory(is_superuser=True, is_staff=True)
        self.volunteers = [MembershipFactory(community=self.community, role=Membership.Role.VOLUNTEER).user for _ in range(VOLUNTEERS)]
        self.resident = MembershipFactory(community=self.community, role=Membership.Role.RESIDENT).user
        self.people = [*self.volunteers, self.resident]  # everyone who holds points
        # Tasks start 20-25 minutes from now: claimable (not started) and already open for check-in.
        self.base = (timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
        self.stripe = FakeStripe(self)
        self.client = Client()
        # The shadow model.
        self.tasks: list[int] = []
        self.claims: list[int] = []
        self.rewards: dict[int, int] = {}  # reward -> stock put on the shelf
        self.redemptions: list[int] = []
        self.balance: Counter = Counter()  # "pool", "sink", "district" or a user's pk -> points
        self.donations: dict[int, dict] = {}  # pk -> amount, status, refunded (what the app must show)
        self.at_stripe: dict[str, dict] = {}  # intent -> paid, refunded (what Stripe knows)
        self.outbox: list[dict] = []  # events Stripe has sent that have not arrived yet
        self.delivered: list[dict] = []
        self.spent = 0
        self.checks = 0
        self.wrong_codes: Counter = Counter()  # claim -> wrong check-in codes typed (5 lock it)
        self.wrong_cards: Counter = Counter()  # claim -> wrong service-card codes typed (5 lock it)
        self.card = service_card_get(actor=self.resident)  # the resident some services are for
        cache.clear()  # the counts of another run's claims (ids are reused after its rollback)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------------
    def pick(self, items, i):
        return items[i % len(items)]

    def live_claims(self, **filters):
        return Claim.objects.filter(status__in=LIVE, **filters)

    def webhook(self, event: dict, secret: str = WEBHOOK_SECRET):
        payload = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=int(time.time()))
        return self.client.post("/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    def emit(self, kind: str, obj: dict):
        self.outbox.append({"id": f"evt_{uuid.uuid4().hex[:16]}", "object": "event", "type": kind, "data": {"object": obj}})

    def stripe_refund(self, intent_id: str, amount: int):
        """Stripe refunds (asked by staff or done in Stripe's dashboard) and sends charge.refunded
        with the charge's new refunded total."""
        known = self.at_stripe[intent_id]
        if known["refunded"] + amount > known["amount"]:
            raise stripe.InvalidRequestError("Refund amount is greater than unrefunded amount on charge", param="amount")
        known["refunded"] += amount
        self.emit("charge.refunded", {"id": f"ch_{intent_id}", "object": "charge", "payment_intent": intent_id, "amount": known["amount"],
                                      "currency": "cny", "amount_refunded": known["refunded"]})

    # --- tasks and claims ------------------------------------------------------------------------
    @initialize(amount=st.integers(0, 400))
    def district_budgets(self, amount):
        if amount:
            points.points_budget(actor=self.admin, community=self.community, amount=amount)
            self.balance["pool"] += amount
            self.balance["district"] -= amount

    @precondition(lambda self: len(self.tasks) < 12)
    @rule(minute=st.integers(0, 4), length=st.integers(1, 2), slots=st.integers(1, 3), reward=st.sampled_from([0, 5, 40, 300]), for_her=st.booleans())
    def post_task(self, minute, length, slots, reward, for_her=False):
        start = self.base + timedelta(minutes=minute)
        fields = TaskFields(
            title="陪伴独居老人", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(minutes=length),
            location="锣旗寺社区 3 栋", slots=slots, points=reward, skills=[], beneficiary=self.resident if for_her else None,
        )
        task = task_create(actor=self.staff, community=self.community, fields=fields)
        self.tasks.append(task.pk)

    @initialize(minutes=st.lists(st.integers(0, 4), min_size=2, max_size=2), slots=st.integers(1, 3), reward=st.sampled_from([5, 40]))
    def staff_post_the_first_tasks(self, minutes, slots, reward):
        for minute in minutes:
            self.post_task(minute=minute, length=1, slots=slots, reward=reward)

    @precondition(lambda self: self.tasks)
    @rule(move=st.tuples(index, st.integers(0, VOLUNTEERS), st.sampled_from(["next"] * 4 + ["deliver"] * 3 + ["withdraw", "withdraw someone else's", "wrong code"])))
    def a_volunteer_acts(self, move):
        """A person takes the next step on a task: claim it, check in, check out and submit (or all
        of them at once: "deliver"); or withdraw, or try someone else's claim, or type a wrong code. (The key rules take one tuple:
        Hypothesis favours rules with fewer arguments, and these should run most.)"""
        t, p, step = move
        if step == "deliver":
            for _ in range(3):  # claim, check in, check out and submit; stops early at a refusal
                before = Claim.objects.filter(status=Claim.Status.SUBMITTED).count()
                self.a_volunteer_acts((t, p, "next"))
                if Claim.objects.filter(status=Claim.Status.SUBMITTED).count() > before:
                    break
            return
        going = list(Task.objects.filter(status__in=["open", "full", "in_progress"]).order_by("pk").values_list("pk", flat=True))
        task, person = Task.objects.get(pk=self.pick(going or self.tasks, t)), self.people[p]  # the last person is a resident
        claim = Claim.objects.filter(task=task, user=person).select_related("task").order_by("-pk").first()
        if claim is None or claim.status not in LIVE:
            return self.claim(task, person)
        if step == "withdraw":
            return self.withdraw(claim, by_someone_else=False)
        if step == "withdraw someone else's":
            return self.withdraw(claim, by_someone_else=True)
        if claim.status == Claim.Status.CLAIMED:
            return self.check_in(claim, right_code=step != "wrong code")
        if claim.status == Claim.Status.CHECKED_IN:
            return self.check_out_and_submit(claim)
        return self.claim(task, person)  # submitted or verified: claiming again is refused

    @precondition(lambda self: self.tasks)
    @rule(wait=st.tuples(index, st.integers(0, VOLUNTEERS), st.sampled_from(["join", "join", "leave"])))
    def a_volunteer_waits(self, wait):
        """A person joins the waiting list of a task (most useful when it is full) or leaves it."""
        t, p, how = wait
        full = list(Task.objects.filter(status="full").order_by("pk").values_list("pk", flat=True))
        task, person = Task.objects.get(pk=self.pick(full or self.tasks, t)), self.people[p]
        if how == "leave":
            waitlist_leave(actor=person, task=task)
            assert not WaitlistEntry.objects.filter(task=task, user=person).exists()
            return
        call = lambda: waitlist_join(actor=person, task=task)  # noqa: E731
        if person == self.resident:
            return refused(call, PermissionDenied, "not_a_volunteer")
        if task.status not in (Task.Status.OPEN, Task.Status.FULL) or task.starts_at <= timezone.now():
            return refused(call, Conflict, "task_not_open")
        if self.live_claims(task=task, user=person).exists():
            return refused(call, Conflict, "already_claimed")
        if self.live_claims(task=task).count() < task.slots:
            return refused(call, Conflict, "task_not_full")
        if WaitlistEntry.objects.filter(task=task, user=person).exists():
            return refused(call, Conflict, "already_waiting")
        assert call() == WaitlistEntry.objects.filter(task=task).count()

    @precondition(lambda self: self.claims)
    @rule(review=st.tuples(index, st.sampled_from(["verify"] * 4 + ["reject", "verify by a volunteer"]), st.booleans()))
    def a_claim_is_reviewed(self, review):
        c, verdict, only_submitted = review
        claims = Claim.objects.select_related("task").order_by("pk")
        if only_submitted and claims.filter(status=Claim.Status.SUBMITTED).exists():
            claims = claims.filter(status=Claim.Status.SUBMITTED)
        claim = self.pick(list(claims), c)
        if verdict == "reject":
            return self.reject(claim)
        return self.verify(claim, by_a_volunteer=verdict != "verify")

    def claim(self, task, person):
        call = lambda: claim_create(actor=person, task=task)  # noqa: E731
        if person == self.resident:
            return refused(call, PermissionDenied, "not_a_volunteer")
        if task.status not in (Task.Status.OPEN, Task.Status.FULL) or task.starts_at <= timezone.now():
            return refused(call, Conflict, "task_not_open")
        if self.live_claims(task=task, user=person).exists():
            return refused(call, Conflict, "already_claimed")
        if self.live_claims(user=person, task__starts_at__lt=task.ends_at, task__ends_at__gt=task.starts_at).exists():
            return refused(call, Conflict, "overlapping_claim")
        if self.live_claims(task=task).count() >= task.slots:
            return refused(call, Conflict, "task_full")
        self.claims.append(call().pk)

    def withdraw(self, claim, by_someone_else):
        actor = next(v for v in self.volunteers if v.pk != claim.user_id) if by_someone_else else claim.user
        call = lambda: claim_withdraw(actor=actor, claim=claim)  # noqa: E731
        if by_someone_else:
            return refused(call, PermissionDenied, "permission_denied")
        if claim.status == Claim.Status.WITHDRAWN:
            return unchanged(call)
        if claim.status != Claim.Status.CLAIMED:
            return refused(call, Conflict, "invalid_transition")
        assert call().status == Claim.Status.WITHDRAWN

    def check_in(self, claim, right_code):
        code = task_checkin_code(actor=self.staff, task=claim.task)[0]
        if not right_code:
            code = f"{(int(code) + 1) % 1_000_000:06d}"
        call = lambda: claim_check_in(actor=claim.user, claim=claim, code=code)  # noqa: E731
        if claim.status == Claim.Status.CHECKED_IN:
            return unchanged(call)
        if claim.status != Claim.Status.CLAIMED:
            return refused(call, Conflict, "invalid_transition")
        if self.wrong_codes[claim.pk] >= CODE_ATTEMPTS_LIMIT:
            return refused(call, RateLimited, "too_many_attempts")  # even the right code, while locked
        if not right_code:
            self.wrong_codes[claim.pk] += 1
            return refused(call, ValidationFailed, "invalid_code")
        status_before = Task.objects.get(pk=claim.task_id).status
        assert call().status == Claim.Status.CHECKED_IN
        # In progress once it has started; a check-in before the start leaves it open for claims.
        started = claim.task.starts_at <= timezone.now()
        assert Task.objects.get(pk=claim.task_id).status == (Task.Status.IN_PROGRESS if started else status_before)

    def check_out_and_submit(self, claim):
        code = task_checkin_code(actor=self.staff, task=claim.task)[0]
        call = lambda: claim_check_out(actor=claim.user, claim=claim, code=code)  # noqa: E731
        if claim.status != Claim.Status.CHECKED_IN:
            return refused(call, Conflict, "invalid_transition")
        if self.wrong_codes[claim.pk] >= CODE_ATTEMPTS_LIMIT:
            return refused(call, RateLimited, "too_many_attempts")
        if timezone.now() < claim.task.starts_at:
            refused(call, Conflict, "before_start")  # it would record 0 hours
        # The service is done: check out a minute before the task ends, with that moment's code.
        with time_machine.travel(claim.task.ends_at - timedelta(minutes=1), tick=False):
            code = task_checkin_code(actor=self.staff, task=claim.task)[0]
            claim_check_out(actor=claim.user, claim=claim, code=code)
            assert claim_submit(actor=claim.user, claim=claim, note="读报一小时").status == Claim.Status.SUBMITTED

    def verify(self, claim, by_a_volunteer):
        actor = next(v for v in self.volunteers if v.pk != claim.user_id) if by_a_volunteer else self.staff
        call = lambda: claim_verify(actor=actor, claim=claim)  # noqa: E731
        if by_a_volunteer:
            return refused(call, PermissionDenied, "permission_denied")
        if claim.status == Claim.Status.VERIFIED:
            return unchanged(call)  # a retry pays nothing more
        if claim.status != Claim.Status.SUBMITTED:
            return refused(call, Conflict, "invalid_transition")
        if claim.task.beneficiary_id and claim.confirmed_at is None:
            return refused(call, Conflict, "awaiting_confirmation")  # the person served has not confirmed it
        if claim.task.points > self.balance["pool"]:
            return refused(call, points.InsufficientPoints, "insufficient_pool_points")
        assert call().status == Claim.Status.VERIFIED
        self.balance["pool"] -= claim.task.points
        self.balance[claim.user_id] += claim.task.points

    @precondition(lambda self: self.claims)
    @rule(act=st.tuples(index, st.sampled_from(["self", "staff", "card", "card", "wrong card", "staff without a note", "a stranger"])))
    def someone_confirms(self, act):
        """The person served (or staff for her, or the volunteer with her card's code) confirms a
        service; wrong card codes count like wrong check-in codes; a second confirmation is a no-op."""
        c, how = act
        claim = Claim.objects.select_related("task").get(pk=self.pick(self.claims, c))
        stranger = next(v for v in self.volunteers if v.pk != claim.user_id)
        actor = {"self": self.resident, "staff": self.staff, "staff without a note": self.staff, "a stranger": stranger}.get(how, claim.user)
        note = "" if how == "staff without a note" else "电话确认"
        code = {"card": self.card.shown_code, "wrong card": "ZZZZ-ZZZZ"}.get(how, "")
        call = lambda: claim_confirm(actor=actor, claim=claim, consent_note=note, beneficiary_code=code)  # noqa: E731
        if claim.task.beneficiary_id is None:
            return refused(call, Conflict, "no_beneficiary")
        if how == "a stranger":
            return refused(call, PermissionDenied, "not_beneficiary")
        if how == "staff without a note":
            return refused(call, ValidationFailed, "required")
        if claim.confirmed_at is not None:
            before = snapshot()
            assert call() == (claim, True) and snapshot() == before  # the first confirmation stands
            return None
        if claim.status not in (Claim.Status.CHECKED_IN, Claim.Status.SUBMITTED):
            return refused(call, Conflict, "invalid_transition")
        if timezone.now() < claim.task.starts_at:  # nobody answers for a service before it starts (#28)
            return refused(call, Conflict, "too_early")
        if how in ("card", "wrong card") and self.wrong_cards[claim.pk] >= CODE_ATTEMPTS_LIMIT:
            return refused(call, RateLimited, "too_many_attempts")
        if how == "wrong card":
            self.wrong_cards[claim.pk] += 1
            return refused(call, ValidationFailed, "invalid_code")
        confirmed, already = call()
        assert not already and confirmed.confirmation_method == {"self": "self", "staff": "staff"}.get(how, "code")

    def reject(self, claim):
        call = lambda: claim_reject(actor=self.staff, claim=claim, reason="没有到场")  # noqa: E731
        if claim.status == Claim.Status.REJECTED:
            return unchanged(call)
        if claim.status not in (Claim.Status.SUBMITTED, Claim.Status.CHECKED_IN):
            return refused(call, Conflict, "invalid_transition")
        assert call().status == Claim.Status.REJECTED

    @precondition(lambda self: self.tasks)
    @rule(t=index, reason=st.just("下雨"))
    def cancel_task(self, t, reason):
        task = Task.objects.get(pk=self.pick(self.tasks, t))
        call = lambda: task_cancel(actor=self.staff, task=task, reason=reason)  # noqa: E731
        if task.status == Task.Status.CANCELLED:
            return unchanged(call)
        if task.status in (Task.Status.DONE, Task.Status.EXPIRED):
            return refused(call, Conflict, "invalid_transition")
        call()
        assert not Claim.objects.filter(task=task, status__in=[Claim.Status.CLAIMED, Claim.Status.CHECKED_IN]).exists()

    @rule(job=st.sampled_from(["no-shows", "reservations"]), later=st.just("tonight"))
    def cron_runs_later(self, job, later):
        """The nightly jobs, as if run a day (no-shows) or eight days (reservations) from now.
        (Two arguments, so Hypothesis picks this sweeping rule less often than the key ones.)"""
        if job == "reservations":
            return self.expire_reservations()
        claims_mark_no_shows(now=timezone.now() + timedelta(days=1))
        assert not Claim.objects.filter(status=Claim.Status.CLAIMED).exists()
        assert not Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL]).exists()

    # --- points ----------------------------------------------------------------------------------
    @rule(amount=st.integers(1, 500))
    def budget(self, amount):
        points.points_budget(actor=self.admin, community=self.community, amount=amount)
        self.balance["pool"] += amount
        self.balance["district"] -= amount

    @rule(p=st.integers(0, VOLUNTEERS), amount=st.integers(1, 300))
    def staff_award(self, p, amount):
        person = self.people[p]
        call = lambda: points.points_award_by_staff(actor=self.staff, community=self.community, user=person, amount=amount, reason="参加议事会")  # noqa: E731
        if amount > self.balance["pool"]:
            return refused(call, points.InsufficientPoints, "insufficient_pool_points")
        assert call().awarded == amount
        self.balance["pool"] -= amount
        self.balance[person.pk] += amount

    @rule(giver=st.integers(0, VOLUNTEERS), receiver=st.integers(0, VOLUNTEERS), amount=st.integers(1, 200), to_pool=st.booleans())
    def transfer(self, giver, receiver, amount, to_pool):
        source, target = self.people[giver], self.people[receiver]
        if to_pool:
            call = lambda: points.points_transfer(actor=source, community=self.community, amount=amount, to_pool=True)  # noqa: E731
        else:
            call = lambda: points.points_transfer(actor=source, community=self.community, amount=amount, to_user=target)  # noqa: E731
            if source == target:
                return refused(call, ValidationFailed, "invalid_recipient")
        if amount > self.balance[source.pk]:
            return refused(call, points.InsufficientPoints, "insufficient_points")
        call()
        self.balance[source.pk] -= amount
        self.balance["pool" if to_pool else target.pk] += amount

    @initialize(cost=st.integers(1, 60), stock=st.integers(0, 3), limit=st.sampled_from([None, 1, 2]))
    def staff_stock_the_shelf(self, cost, stock, limit):
        self.stock_a_reward(cost=cost, stock=stock, limit=limit)

    @precondition(lambda self: len(self.rewards) < 4)
    @rule(cost=st.integers(1, 60), stock=st.integers(0, 3), limit=st.sampled_from([None, 1, 2]))
    def stock_a_reward(self, cost, stock, limit):
        reward = points.reward_create(actor=self.staff, community=self.community, name="大米 5kg", cost=cost, stock=stock, per_person_limit=limit)
        self.rewards[reward.pk] = stock

    @precondition(lambda self: self.rewards)
    @rule(order=st.tuples(st.integers(0, VOLUNTEERS), index, st.integers(1, 3)))
    def redeem(self, order):
        p, r, quantity = order
        person, reward = self.people[p], Reward.objects.get(pk=self.pick(sorted(self.rewards), r))
        call = lambda: points.redemption_reserve(actor=person, reward=reward, quantity=quantity)  # noqa: E731
        held = (
            Redemption.objects.filter(reward=reward, user=person, status__in=["reserved", "fulfilled"]).aggregate(q=Sum("quantity"))["q"] or 0
        )
        if reward.per_person_limit is not None and held + quantity > reward.per_person_limit:
            return refused(call, Conflict, "limit_reached")
        if reward.stock < quantity:
            return refused(call, Conflict, "out_of_stock")
        if reward.cost * quantity > self.balance[person.pk]:
            return refused(call, points.InsufficientPoints, "insufficient_points")
        self.redemptions.append(call().pk)
        self.balance[person.pk] -= reward.cost * quantity
        self.balance["sink"] += reward.cost * quantity

    @precondition(lambda self: self.redemptions)
    @rule(r=index, how=st.sampled_from(["cancelled by the owner", "cancelled by staff", "picked up", "picked up with a wrong code"]))
    def a_reservation_closes(self, r, how):
        redemption = Redemption.objects.get(pk=self.pick(self.redemptions, r))
        if how.startswith("picked up"):
            return self.hand_out_reward(redemption, right_code=how == "picked up")
        by_staff = how == "cancelled by staff"
        # Staff cancelling someone else's reservation say why (the person is told); the owner needs no reason.
        call = lambda: points.redemption_cancel(  # noqa: E731
            actor=self.staff if by_staff else redemption.user, redemption=redemption, reason="货架调整" if by_staff else ""
        )
        if redemption.status == Redemption.Status.CANCELLED:
            return unchanged(call)
        if redemption.status != Redemption.Status.RESERVED:
            return refused(call, Conflict, "invalid_transition")
        call()
        self.balance["sink"] -= redemption.points
        self.balance[redemption.user_id] += redemption.points

    def hand_out_reward(self, redemption, right_code):
        code = redemption.code if right_code else "WRONG1"
        call = lambda: points.redemption_fulfil(actor=self.staff, redemption=redemption, code=code)  # noqa: E731
        if not right_code:
            return refused(call, ValidationFailed, "invalid_code")
        if redemption.status == Redemption.Status.FULFILLED:
            return unchanged(call)
        if redemption.status != Redemption.Status.RESERVED:
            return refused(call, Conflict, "invalid_transition")
        assert call().status == Redemption.Status.FULFILLED

    def expire_reservations(self):
        waiting = list(Redemption.objects.filter(status=Redemption.Status.RESERVED))
        assert points.redemptions_expire(now=timezone.now() + timedelta(days=8)) == len(waiting)
        for redemption in waiting:
            self.balance["sink"] -= redemption.points
            self.balance[redemption.user_id] += redemption.points

    # --- donations, Stripe and the fund ----------------------------------------------------------
    @precondition(lambda self: len(self.donations) < 5)
    @rule(gift=st.tuples(st.sampled_from([50, 100, 2_000, 2_000, 12_345, 12_345, 5_000_000, 5_000_001]), st.sampled_from(["pays"] * 3 + ["leaves", "stripe down"])))
    def a_donor_gives(self, gift):
        """A donor starts a gift and (usually) pays at once; Stripe's event arrives later."""
        amount, then = gift
        stripe_down = self.stripe.down = then == "stripe down"
        call = lambda: donation_create(actor=None, community=self.community, amount=amount, currency="cny", donor_name="王先生")  # noqa: E731
        with mock.patch("funds.services.stripe_client", return_value=self.stripe):
            if not 100 <= amount <= 5_000_000:
                return refused(call, ValidationFailed, "invalid_amount")
            if stripe_down:
                # The pending row is written first; a Stripe failure leaves it failed, not pending.
                before = Donation.objects.count()
                with pytest.raises(PaymentProviderError):
                    call()
                failed = Donation.objects.order_by("-pk").first()
                assert Donation.objects.count() == before + 1 and failed.status == Donation.Status.FAILED
                self.donations[failed.pk] = {"amount": amount, "status": "failed", "refunded": 0}
                return
            donation = call()
        assert donation.status == Donation.Status.PENDING and donation.payment_intent_id
        self.donations[donation.pk] = {"amount": amount, "status": "pending", "refunded": 0}
        self.at_stripe[donation.payment_intent_id] = {"pk": donation.pk, "amount": amount, "paid": False, "refunded": 0}
        if then == "pays":
            self.a_payment_moves_at_stripe((len(self.at_stripe) - 1, "succeeded", 1))

    @precondition(lambda self: self.at_stripe)
    @rule(act=st.tuples(index, st.sampled_from(["succeeded", "succeeded", "failed"]), st.integers(1, 6_000)))
    def a_payment_moves_at_stripe(self, act):
        """At Stripe, a payment succeeds or fails; once paid, it may be refunded from Stripe's
        dashboard. Each sends an event, which arrives later (a_webhook_arrives)."""
        d, outcome, refund = act
        intent_id = self.pick(list(self.at_stripe), d)
        known = self.at_stripe[intent_id]
        if known["paid"]:
            if known["refunded"] < known["amount"]:
                self.stripe_refund(intent_id, min(refund, known["amount"] - known["refunded"]))
            return
        known["paid"] = outcome == "succeeded"
        kind = "payment_intent.succeeded" if known["paid"] else "payment_intent.payment_failed"
        self.emit(kind, {"id": intent_id, "object": "payment_intent", "amount": known["amount"], "currency": "cny", "metadata": {"donation_id": str(known["pk"])}})

    @precondition(lambda self: self.donations)
    @rule(d=index, amount=st.one_of(st.none(), st.integers(1, 6_000)))
    def staff_refund(self, d, amount):
        donation = Donation.objects.get(pk=self.pick(sorted(self.donations), d))
        call = lambda: donation_refund(actor=self.staff, donation=donation, amount=amount)  # noqa: E731
        with mock.patch("funds.services.stripe_client", return_value=self.stripe):
            if donation.status not in (Donation.Status.SUCCEEDED, Donation.Status.REFUNDED):
                return refused(call, Conflict, "invalid_transition")
            left = donation.amount - donation.refunded_amount
            if amount is not None and not 1 <= amount <= left or left == 0:
                return refused(call, ValidationFailed, "invalid_amount")
            known = self.at_stripe[donation.payment_intent_id]
            if known["refunded"] + (left if amount is None else amount) > known["amount"]:
                # Stripe knows of refunds whose webhook has not arrived yet, and says no.
                return refused(call, PaymentProviderError, "payment_provider_error")
            unchanged(call)  # nothing moves until Stripe's charge.refunded arrives

    @precondition(lambda self: self.outbox)
    @rule(delivery=st.tuples(index, st.sampled_from([False] * 5 + [True])))
    def a_webhook_arrives(self, delivery):
        """Stripe's events arrive in any order: a refund may overtake the success it follows."""
        e, bad_signature = delivery
        event = self.pick(self.outbox, e)
        if bad_signature:
            before = snapshot()
            response = self.webhook(event, secret="whsec_forged")
            assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
            assert snapshot() == before
            return
        self.outbox.remove(event)
        response = self.webhook(event)
        assert response.status_code == 200 and response.json() == {"status": "applied"}, response.content
        self.delivered.append(event)
        obj = event["data"]["object"]
        if event["type"] == "charge.refunded":
            model = self.donations[self.at_stripe[obj["payment_intent"]]["pk"]]
            if obj["amount_refunded"] > model["refunded"]:  # an older, smaller total changes nothing
                model["refunded"], model["status"] = obj["amount_refunded"], "refunded"
        else:
            model = self.donations[self.at_stripe[obj["id"]]["pk"]]
            rank = ["pending", "failed", "cancelled", "succeeded", "refunded"]
            to = "succeeded" if event["type"] == "payment_intent.succeeded" else "failed"
            if rank.index(model["status"]) < rank.index(to):  # forward only
                model["status"] = to

    @precondition(lambda self: self.delivered)
    @rule(e=index)
    def stripe_delivers_again(self, e):
        before = snapshot()
        response = self.webhook(self.pick(self.delivered, e))
        assert response.status_code == 200 and response.json() == {"status": "duplicate"}
        assert snapshot() == before

    @rule(amount=st.integers(1, 8_000))
    def staff_spend_from_the_fund(self, amount):
        call = lambda: spending_record(actor=self.staff, community=self.community, amount=amount, spent_on=date(2026, 11, 1), purpose="助餐食材", payee="社区食堂")  # noqa: E731
        raised = sum(d["amount"] - d["refunded"] for d in self.donations.values() if d["status"] in ("succeeded", "refunded"))
        if amount > raised - self.spent:
            return refused(call, Conflict, "insufficient_funds")
        call()
        self.spent += amount

    def run_the_points_audit(self):
        """The project's own audit, as a second opinion on the ledger checks below."""
        out = io.StringIO()
        try:
            call_command("points_audit", stdout=out, stderr=out)
        except SystemExit as exit:
            pytest.fail(f"points_audit exited {exit.code}: {out.getvalue()}")

    def run_the_rollup_audit(self):
        """The dashboards' rollups, kept by triggers in each of these writes, equal a recount."""
        out = io.StringIO()
        try:
            call_command("rollup_audit", stdout=out, stderr=out)
        except SystemExit as exit:
            pytest.fail(f"rollup_audit exited {exit.code}: {out.getvalue()}")

    # --- invariants, from the database with our own queries --------------------------------------
    @invariant()
    def the_market_adds_up(self):
        self.check_tasks_and_claims()
        self.check_confirmations()
        accounts = self.check_ledger()
        self.checks += 1
        if self.checks % 5 == 0:  # it costs as much as all the other checks together
            self.run_the_points_audit()
            self.run_the_rollup_audit()
        self.check_claim_payments()
        self.check_shelf(accounts)
        self.check_funds()

    def check_tasks_and_claims(self):
        live = Count("claims", filter=Q(claims__status__in=LIVE), distinct=True)  # distinct: joined with the waiting list below
        for pk, status, slots, taken, n in Task.objects.annotate(n=live).values_list("pk", "status", "slots", "slots_taken", "n"):
            assert n <= slots, f"task {pk}: {n} live claims for {slots} slots"
            assert taken == n, f"task {pk} ({status}): slots_taken {taken}, live claims {n}"
            assert status != Task.Status.FULL or n == slots, f"task {pk} is full with {n} of {slots} slots taken"
            assert status != Task.Status.OPEN or n < slots, f"task {pk} is open with all {slots} slots taken"
        # Nobody is both waiting and claiming; a task that has not started and has people waiting
        # has no free slot (a freed slot went to the first of them).
        both = WaitlistEntry.objects.filter(task__claims__user=F("user"), task__claims__status__in=LIVE)
        assert not both.exists(), f"waiting and claiming at once: {list(both.values_list('task_id', 'user_id'))}"
        waited = Task.objects.filter(waitlist__isnull=False, starts_at__gt=timezone.now(), status__in=["open", "full"]).distinct()
        for pk, slots, n in waited.annotate(n=live).values_list("pk", "slots", "n"):
            assert n == slots, f"task {pk} has people waiting and {slots - n} free slots"
        held: dict[int, list] = {}
        for pk, user, starts, ends in Claim.objects.filter(status__in=LIVE).values_list("pk", "user_id", "task__starts_at", "task__ends_at"):
            for other, other_starts, other_ends in held.get(user, []):
                assert not (starts < other_ends and ends > other_starts), f"claims {other} and {pk} of one person overlap"
            held.setdefault(user, []).append((pk, starts, ends))

    def check_confirmations(self):
        """No service for someone is verified unconfirmed; each confirmation is recorded once."""
        unconfirmed = Claim.objects.filter(status=Claim.Status.VERIFIED, task__beneficiary__isnull=False, confirmed_at__isnull=True)
        assert not unconfirmed.exists(), list(unconfirmed.values_list("pk", flat=True))
        rows = Counter(ClaimStatusChange.objects.filter(note__startswith="confirmed (").values_list("claim_id", flat=True))
        confirmed = set(Claim.objects.filter(confirmed_at__isnull=False).values_list("pk", flat=True))
        assert set(rows) == confirmed and all(n == 1 for n in rows.values()), (dict(rows), confirmed)

    def check_ledger(self) -> dict:
        legs = LedgerTransaction.objects.annotate(total=Sum("entries__amount"), legs=Count("entries")).exclude(total=0, legs__gte=2)
        assert not legs.exists(), list(legs.values("pk", "kind", "total", "legs"))
        found, accounts = Counter(), {}
        for pk, kind, user, balance, entries in PointsAccount.objects.annotate(s=Sum("entries__amount")).values_list("pk", "kind", "user_id", "balance", "s"):
            assert balance == (entries or 0), f"account {pk} ({kind}): balance {balance}, its entries sum to {entries}"
            assert kind == PointsAccount.Kind.DISTRICT or balance >= 0, f"account {pk} ({kind}) is at {balance}"
            key = user if kind == PointsAccount.Kind.PERSON else str(kind)
            found[key] += balance
            accounts[key] = balance
        assert +found == +self.balance, f"ledger {dict(found)} != expected {dict(self.balance)}"
        return accounts

    def check_claim_payments(self):
        """A verified claim's points are paid once; no other claim is ever paid."""
        paid = Counter()
        awards = LedgerEntry.objects.filter(transaction__kind="award", amount__gt=0, transaction__idempotency_key__startswith="claim:")
        for key, amount in awards.values_list("transaction__idempotency_key", "amount"):
            paid[int(key.split(":")[1])] += amount
        for pk, status, awarded, task_points in Claim.objects.values_list("pk", "status", "points_awarded", "task__points"):
            expected = task_points if status == Claim.Status.VERIFIED else 0
            assert paid[pk] == expected == awarded, f"claim {pk} ({status}): paid {paid[pk]}, recorded {awarded}, expected {expected}"

    def check_shelf(self, accounts: dict):
        held = Sum("redemptions__quantity", filter=Q(redemptions__status__in=["reserved", "fulfilled"]))
        for pk, stock, out in Reward.objects.annotate(held=held).values_list("pk", "stock", "held"):
            assert stock >= 0, f"reward {pk}: stock {stock}"
            assert stock + (out or 0) == self.rewards[pk], f"reward {pk}: stock {stock} + held {out or 0} != {self.rewards[pk]} put on the shelf"
        kinds: dict[int, list] = {}
        for key, kind in LedgerTransaction.objects.filter(idempotency_key__startswith="redemption:").values_list("idempotency_key", "kind"):
            kinds.setdefault(int(key.split(":")[1]), []).append(kind)
        in_sink = 0
        for pk, status, cost in Redemption.objects.values_list("pk", "status", "points"):
            taken = status in ("reserved", "fulfilled")
            in_sink += cost if taken else 0
            expected = ["redemption"] if taken else ["redemption", "refund"]
            assert sorted(kinds.get(pk, [])) == expected, f"redemption {pk} ({status}): ledger has {kinds.get(pk)}"
        assert accounts.get("sink", 0) == in_sink, f"the sink holds {accounts.get('sink', 0)}, live redemptions cost {in_sink}"

    def check_funds(self):
        """Every gift counted once: the fund equals received donations, less refunds, less spending."""
        gross = refunds = received = 0
        for pk, status, amount, refunded in Donation.objects.values_list("pk", "status", "amount", "refunded_amount"):
            model = self.donations[pk]
            assert (status, refunded) == (model["status"], model["refunded"]), f"donation {pk}: app says {(status, refunded)}, expected {model}"
            if status in ("succeeded", "refunded"):
                gross, refunds, received = gross + amount, refunds + refunded, received + (refunded < amount)
        assert StripeEvent.objects.count() == len(self.delivered)
        spent = Spending.objects.aggregate(s=Sum("amount"))["s"] or 0
        assert spent == self.spent
        expected = {"raised": gross - refunds, "spent": spent, "balance": gross - refunds - spent, "currency": "cny", "donations_count": received}
        assert fund_figures(community=self.community) == expected


@pytest.mark.django_db
def test_the_market_keeps_its_promises_whatever_people_do(settings_fixture_for_market):
    run_state_machine_as_test(
        MarketMachine,
        settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
        ),
    )


@pytest.fixture
def settings_fixture_for_market(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_never_used"  # stripe_client() is patched: no network
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.CURRENCY = "cny"
    settings.DONATION_MIN, settings.DONATION_MAX = 100, 5_000_000
    return settings

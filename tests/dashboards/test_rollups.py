"""The dashboards' rollups (one row per community per month, kept by triggers in the writing
transaction): after a random sequence of real market writes they equal a recount from the raw
tables (``manage.py rollup_audit`` exits 0); a row corrupted on purpose is caught and repaired; a
write shows on the dashboards at once; periods that cut a month, and rows near midnight at a
month's edge, give the same figures as counting the raw rows."""

import csv
import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership
from dashboards.figures import Period, community_figures, district_rows, monthly_series
from dashboards.models import CommunityMonth
from funds.models import Donation
from funds.services import spending_record
from marketplace.models import Need, Task
from marketplace.services import task_checkin_code
from marketplace.services.needs import need_resolve, need_submit, need_triage
from orders import services
from orders.models import Claim
from orders.services.claims.corrections import correction_decide, correction_request
from points import services as points
from points.selectors import person_balance
from tests.conftest import browser
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def audit(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("rollup_audit", *args, stdout=out, stderr=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def local(day, hour=9, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def serve(make_task, staff, volunteer, community, at: datetime, hours: str) -> Claim:
    """A whole service through the real services: posted two days before, claimed, checked in and
    out, submitted and verified ``at`` (so its points and hours land in that month)."""
    with time_machine.travel(at - timedelta(days=2), tick=False):
        task = make_task(community=community, actor=staff, starts_at=at - timedelta(hours=3), ends_at=at)
        claim = services.claim_create(actor=volunteer, task=task)
    code = lambda: task_checkin_code(actor=staff, task=task)[0]  # noqa: E731
    with time_machine.travel(task.starts_at - timedelta(minutes=5), tick=False):
        services.claim_check_in(actor=volunteer, claim=claim, code=code())
    with time_machine.travel(at, tick=False):
        services.claim_check_out(actor=volunteer, claim=claim, code=code())
        services.claim_submit(actor=volunteer, claim=claim, hours=hours)
        services.claim_verify(actor=staff, claim=claim)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def world(community, other_community, staff, other_staff, superuser, make_task):
    places = []
    for place, boss in ((community, staff), (other_community, other_staff)):
        points.points_budget(actor=superuser, community=place, amount=100_000)
        volunteers = [MembershipFactory(community=place, role=Membership.Role.VOLUNTEER).user for _ in range(3)]
        resident = MembershipFactory(community=place, role=Membership.Role.RESIDENT).user
        reward = points.reward_create(actor=boss, community=place, name="大米 5kg", cost=5, stock=1000, per_person_limit=None)
        places.append({"community": place, "staff": boss, "volunteers": volunteers, "resident": resident, "reward": reward})
    return places


def random_writes(world, make_task, seed: int, steps: int) -> None:
    """Steps chosen at random among what people do, spread over the last ten months, through the
    real services, plus the raw updates and deletes some code and scripts make."""
    rng = random.Random(seed)
    today = timezone.localdate()
    claims, needs, donations = [], [], []
    for step in range(steps):
        place = rng.choice(world)
        community, staff = place["community"], place["staff"]
        volunteer = rng.choice(place["volunteers"])
        when = local(today - timedelta(days=rng.randint(3, 300)), hour=rng.choice([0, 9, 23]), minute=rng.choice([5, 30]))
        move = rng.choice(["serve", "serve", "correct", "need", "need", "redeem", "donate", "spend", "move", "delete"])
        if move == "serve" or (move == "correct" and not claims):
            claims.append((serve(make_task, staff, volunteer, community, when, rng.choice(["1.00", "1.50", "2.25"])), staff))
        elif move == "correct":
            claim, its_staff = rng.choice(claims)
            claim.refresh_from_db()
            if not claim.corrections.filter(status="pending").exists():
                hours = "0.75" if claim.hours != Decimal("0.75") else "2.75"
                correction = correction_request(actor=claim.user, claim=claim, hours=hours, reason="还帮忙买了菜")
                correction_decide(actor=its_staff, correction=correction, approve=True, reply="好")
        elif move == "need":
            with time_machine.travel(when, tick=False):
                need = need_submit(actor=place["resident"], community=community, title=f"需求{step}", description="楼道灯坏了")
            if rng.random() < 0.7:
                need_triage(actor=staff, need=need, track=rng.choice(["major", "minor", "private"]), reply="收到", department="街道城管科")
                if rng.random() < 0.5:
                    need_resolve(actor=staff, need=need, reply="已修好")
            needs.append(need)
        elif move == "redeem":
            if person_balance(volunteer) >= 5:
                redemption = points.redemption_reserve(actor=volunteer, reward=place["reward"], quantity=1)
                if rng.random() < 0.5:
                    points.redemption_fulfil(actor=staff, redemption=redemption, code=redemption.code)
                else:
                    points.redemption_cancel(actor=volunteer, redemption=redemption)
        elif move == "donate":
            with time_machine.travel(when, tick=False):
                gift = Donation.objects.create(community=community, amount=rng.choice([1_000, 5_000]), currency="cny", status="pending")
            Donation.objects.filter(pk=gift.pk).update(status="succeeded")  # as the webhook moves it
            if rng.random() < 0.4:
                Donation.objects.filter(pk=gift.pk).update(status="refunded", refunded_amount=F("amount") / 2)
            donations.append(gift)
        elif move == "spend" and donations:
            spending_record(actor=staff, community=community, amount=100, spent_on=when.date(), purpose="助餐食材", payee="社区食堂")
        elif move == "move" and claims:
            # A script re-dates a task and a need (raw UPDATEs, no save()): the rollups follow.
            Task.objects.filter(pk=rng.choice(claims)[0].task_id).update(created_at=F("created_at") - timedelta(days=40))
            if needs:
                Need.objects.filter(pk=rng.choice(needs).pk).update(created_at=F("created_at") - timedelta(days=31))
        elif move == "delete" and donations:
            Donation.objects.filter(pk=donations.pop(rng.randrange(len(donations))).pk).delete()
        if step % 5 == 4:
            code, report = audit()
            assert code == 0, f"after step {step} ({move}): {report}"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_market_writes_keep_the_rollups_equal_to_a_recount(world, make_task, seed):
    random_writes(world, make_task, seed=seed, steps=30)
    code, report = audit()
    assert code == 0, report
    assert "rollup audit OK" in report
    assert CommunityMonth.objects.filter(services__gt=0).exists() and CommunityMonth.objects.filter(needs_received__gt=0).exists()


def test_a_corrupted_rollup_row_is_caught_and_repaired(world, make_task, community, staff, superuser):
    random_writes(world, make_task, seed=3, steps=12)
    claim = serve(make_task, staff, world[0]["volunteers"][0], community, local(timezone.localdate() - timedelta(days=40)), "2.00")
    row = CommunityMonth.objects.get(community_id=community.pk, month=timezone.localtime(claim.verified_at).date().replace(day=1))
    CommunityMonth.objects.filter(pk=row.pk).update(hours_hundredths=F("hours_hundredths") + 700)
    code, report = audit()
    assert code == 1
    assert f"community #{community.pk} {row.month:%Y-%m} hours_hundredths: rollup {row.hours_hundredths + 700}, recount {row.hours_hundredths}" in report
    code, report = audit("--repair")
    assert code == 1 and "rollups repaired" in report
    assert audit() == (0, audit()[1]) and audit()[0] == 0
    period = Period(start=row.month, end=timezone.localdate())
    assert community_figures(community, period)["hours_recorded"] == sum(
        (c.hours for c in Claim.objects.filter(task__community=community, status="verified", verified_at__gte=period.since)), Decimal("0")
    )


def _csv_figure(response, label: str) -> str:
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return next(r[1] for r in rows if r[0] == label)


def test_a_write_shows_on_the_dashboards_at_once(world, make_task, community, staff, superuser):
    staff_client, admin_client = browser(staff), browser(superuser)
    dashboard = f"/communities/{community.pk}/dashboard/"
    assert Decimal(_csv_figure(staff_client.get(dashboard, {"format": "csv"}), "服务时长（记录）")) == 0
    serve(make_task, staff, world[0]["volunteers"][0], community, local(timezone.localdate() - timedelta(days=3)), "1.50")
    assert Decimal(_csv_figure(staff_client.get(dashboard, {"format": "csv"}), "服务时长（记录）")) == Decimal("1.50")
    assert int(_csv_figure(staff_client.get(dashboard, {"format": "csv"}), "发放积分")) == 10
    district = admin_client.get("/district/dashboard/").content.decode()
    assert ">1.50<" in district
    need_submit(actor=world[0]["resident"], community=community, title="路灯坏了")
    assert int(_csv_figure(staff_client.get(dashboard, {"format": "csv"}), "收到需求")) == 1


def test_periods_that_cut_a_month_count_exactly_what_lies_inside(world, make_task, community, staff, resident):
    """Needs and services at both ends of a month, one at 00:30 local time on the 1st (still the
    last day of the month before in UTC): a period that ends or starts inside the month counts
    only what lies inside it, as the raw rows say."""
    first = (timezone.localdate().replace(day=1) - timedelta(days=40)).replace(day=1)  # a whole month, one or two before this one
    for i, at in enumerate((local(first, 0, 30), local(first + timedelta(days=4)), local(first + timedelta(days=20), 23, 30))):
        with time_machine.travel(at, tick=False):
            need_submit(actor=resident, community=community, title=f"需求 {at:%d}")
        serve(make_task, staff, world[0]["volunteers"][i % 2], community, at + timedelta(hours=3) if at.hour < 20 else at, "1.25")
    assert timezone.localtime(Need.objects.order_by("created_at").first().created_at).date() == first
    for start, end in [
        (first - timedelta(days=60), first + timedelta(days=9)),  # ends inside the month
        (first + timedelta(days=10), timezone.localdate()),  # starts inside it
        (first + timedelta(days=1), first + timedelta(days=25)),  # both inside it
        (first, first + timedelta(days=40)),  # the month whole, and part of the next
        (first - timedelta(days=1), first),  # the last day before, and the 1st
    ]:
        period = Period(start=start, end=end)
        needs = Need.objects.filter(community=community, created_at__gte=period.since, created_at__lt=period.until)
        verified = Claim.objects.filter(task__community=community, status="verified", verified_at__gte=period.since, verified_at__lt=period.until)
        figures = community_figures(community, period)
        assert figures["needs_received"] == needs.count(), (start, end)
        assert figures["hours_recorded"] == sum((c.hours for c in verified), Decimal("0")), (start, end)
        assert figures["points_awarded"] == 10 * verified.count(), (start, end)
        assert figures["volunteers_active"] == len({c.user_id for c in verified}), (start, end)
        row = next(r for r in district_rows(period)[0] if r["community_id"] == community.pk)
        assert (row["needs_received"], row["hours_recorded"]) == (figures["needs_received"], figures["hours_recorded"])
    series = {m["month"]: m for m in monthly_series(community, Period(start=first - timedelta(days=20), end=first + timedelta(days=35)))}
    assert series[first]["needs"] == 3 and series[first]["services"] == 3 and series[first]["hours"] == Decimal("3.75")

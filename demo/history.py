"""A year of believable history for the demo communities, made through the services.

Each month of the last twelve (and the current one, up to last week) gets a few micro-services
that volunteers claimed, checked in and out of, submitted and had verified (points paid by the
verification), needs submitted, triaged and mostly resolved, points spent in the supermarket,
and gifts and spending of the community fund. The clock is moved with ``time_machine`` so every
row carries the date it would have had. Found by title (tasks, needs), pickup note, payment
intent or purpose on a second run: nothing is written twice.
"""

import functools
import random
from datetime import date, datetime, timedelta

import time_machine
from django.contrib.auth.hashers import make_password
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Community, Membership, User
from core.errors import ApplicationError
from funds.models import Donation, Spending
from funds.services import spending_record
from marketplace import services as market
from marketplace.models import Need, Task
from marketplace.services import TaskFields, task_checkin_code, task_complete, task_create
from orders import services as orders
from points import services as points_services
from points.models import LedgerEntry, Redemption, Reward

# username, display name (volunteers of 锣旗寺社区 who appear only in the history)
HISTORY_VOLUNTEERS = [
    ("luoqisi_v1", "陈玉芬（志愿者）"),
    ("luoqisi_v2", "黄志强（志愿者）"),
    ("luoqisi_v3", "杨丽（志愿者）"),
    ("luoqisi_v4", "何大伟（志愿者）"),
    ("luoqisi_v5", "罗小红（志愿者）"),
]
# title, category, hour, hours, slots, points, place, note the volunteers leave
HISTORY_TASKS = [
    ("独居老人周末探访", "elder_care", 9, 2, 3, 20, "锣旗寺社区各楼栋", "陪老人聊天，帮忙整理药盒"),
    ("社区环境清洁日", "environment", 8, 2, 4, 15, "锣旗寺社区中心广场", "清理绿化带垃圾，分类投放"),
    ("便民维修服务", "repair", 14, 3, 2, 25, "社区服务站", "修好了 3 户的水龙头和电灯"),
    ("“四点半课堂”作业辅导", "education", 16, 2, 2, 15, "社区议事堂", "辅导小学生数学作业"),
]
# title, category, urgency, track, reply, department, days to resolve (None: still open)
HISTORY_NEEDS = [
    ("楼道堆放杂物影响通行", "environment", 3, "minor", "已安排志愿者清理并张贴提示", "", 5),
    ("希望增加老年人智能手机培训", "education", 2, "minor", "已列入“四点半课堂”周末班", "", 12),
    ("小区路灯不亮", "repair", 3, "major", "已转交街道市政所维修", "郭家沱街道市政所", 9),
    ("想请人帮忙接送孩子", "other", 2, "private", "可联系下列社会组织", "", 3),
]
DEMO_PASSWORD = "demo-pass-2026"


def _month_starts(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(count - 1, -1, -1):
        year, month = first.year, first.month - back
        while month <= 0:
            month, year = month + 12, year - 1
        months.append(date(year, month, 1))
    return months


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@functools.cache
def _demo_password_hash() -> str:
    # Hashing a password costs a quarter of a second on purpose (PBKDF2); the demo's twenty-odd
    # accounts share one password, so they share one hash: about 4 s less for `make run`.
    return make_password(DEMO_PASSWORD)


def demo_user(username: str, display_name: str) -> User:
    """A demo account with the demo password: the person, made once. Written directly rather than
    through ``user_register``, whose checks (free name, strong password) the fixed demo names and
    password pass by construction."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, display_name=display_name, password=_demo_password_hash())
    return user


def load_history(communities: dict[str, Community], *, months: int = 13) -> None:
    luoqisi = communities["锣旗寺社区"]
    staff = User.objects.get(username="luoqisi_staff")
    resident = User.objects.get(username="luoqisi_resident")
    volunteers = [User.objects.get(username="luoqisi_volunteer")]
    for username, display_name in HISTORY_VOLUNTEERS:
        user = demo_user(username, display_name)
        Membership.objects.get_or_create(user=user, community=luoqisi, role=Membership.Role.VOLUNTEER, defaults={"added_by": staff})
        volunteers.append(user)
    reward = Reward.objects.filter(community=luoqisi, name="社区食堂餐券").first()
    if reward is None:
        reward = points_services.reward_create(actor=staff, community=luoqisi, name="社区食堂餐券", cost=20, stock=500, description="社区长者食堂午餐一份")
    rng = random.Random(17)  # the same history on every machine
    today = timezone.localdate()
    last_day = today - timedelta(days=7)  # the history stops a week ago; the present is the demo's own data
    for index, month in enumerate(_month_starts(today, months)):
        for t, (title, category, hour, hours, slots, pts, place, note) in enumerate(HISTORY_TASKS):
            day = month + timedelta(days=4 + t * 6 + rng.randint(0, 2))
            if day > last_day or (index % 3 and t == 3):  # the homework class runs two months in three
                continue
            _service(luoqisi, staff, volunteers, rng, f"{title}（{day:%Y-%m-%d}）", category, _at(day, hour), hours, slots, pts, place, note)
        need_day = month + timedelta(days=2 + rng.randint(0, 5))
        if need_day <= last_day:
            plan = HISTORY_NEEDS[index % len(HISTORY_NEEDS)]
            _need(luoqisi, staff, resident, need_day, *plan, last_day=last_day)
        _points_spent(reward, staff, volunteers, month, index, last_day)
        _fund(luoqisi, staff, month, index, rng, last_day)


def _service(community, staff, volunteers, rng, title, category, start, hours, slots, pts, place, note):
    # Drawn before the early return, so a second run draws the same numbers for the months after.
    people = rng.sample(volunteers, min(slots, len(volunteers), rng.randint(2, slots)))
    if Task.objects.filter(community=community, title=title).exists():
        return
    with time_machine.travel(start - timedelta(days=5), tick=False):
        task = task_create(
            actor=staff, community=community,
            fields=TaskFields(title=title, description="", category=category, starts_at=start, ends_at=start + timedelta(hours=hours),
                              location=place, slots=slots, points=pts, skills=[], beneficiary=None),
        )
    claims = []
    for i, person in enumerate(people):
        with time_machine.travel(start - timedelta(days=4, hours=-i), tick=False):
            claims.append(orders.claim_create(actor=person, task=task))
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        for claim in claims:
            orders.claim_check_in(actor=claim.user, claim=claim, code=code)
    end = start + timedelta(hours=hours)
    with time_machine.travel(end, tick=False):
        code = task_checkin_code(actor=staff, task=task)[0]
        for claim in claims:
            orders.claim_check_out(actor=claim.user, claim=claim, code=code)
    with time_machine.travel(end + timedelta(minutes=20), tick=False):
        for claim in claims:
            orders.claim_submit(actor=claim.user, claim=claim, note=note)
    with time_machine.travel(end + timedelta(days=1, hours=1), tick=False):
        for claim in claims:
            orders.claim_verify(actor=staff, claim=claim)
        task_complete(actor=staff, task=Task.objects.get(pk=task.pk))


def _need(community, staff, resident, day, title, category, urgency, track, reply, department, days, *, last_day):
    title = f"{title}（{day:%Y年%m月}）"
    if Need.objects.filter(community=community, title=title).exists():
        return
    with time_machine.travel(_at(day, 20), tick=False):
        need = market.need_submit(actor=resident, community=community, title=title, category=category, urgency=urgency)
    with time_machine.travel(_at(day + timedelta(days=1), 10), tick=False):
        market.need_triage(actor=staff, need=need, track=track, reply=reply, department=department)
    done = day + timedelta(days=days)
    if done <= last_day:
        with time_machine.travel(_at(done, 16), tick=False):
            market.need_resolve(actor=staff, need=need, reply=f"{reply}，已办结。")


def _points_spent(reward, staff, volunteers, month, index, last_day):
    """Two volunteers take a canteen voucher each month and pick it up the next day."""
    for person in volunteers[index % 2:: 3][:2]:
        day = month + timedelta(days=20)
        if day > last_day:
            return
        moment = _at(day, 11)
        if Redemption.objects.filter(reward=reward, user=person, created_at=moment).exists():
            continue
        # Decided by the balance the person had then (ledger rows carry their dates), so a second
        # run, when later months' points exist, decides the same.
        earned = LedgerEntry.objects.filter(account__user=person, account__community=reward.community, created_at__lt=moment).aggregate(
            total=Sum("amount")
        )["total"] or 0
        if earned < reward.cost:
            continue
        with time_machine.travel(moment, tick=False):
            try:
                redemption = points_services.redemption_reserve(actor=person, reward=reward, quantity=1)
            except ApplicationError:  # not enough points earned yet that month: no voucher
                continue
        with time_machine.travel(moment + timedelta(days=1), tick=False):
            points_services.redemption_fulfil(actor=staff, redemption=redemption, code=redemption.code)


def _fund(community, staff, month, index, rng, last_day):
    """A gift or two to the community fund each month, and what was bought with it."""
    gift_day = month + timedelta(days=9)
    if gift_day <= last_day:
        donors = ["大石坝街道商会", "郭家沱街道便民超市", "", "热心居民"]
        for n in range(1 + index % 2):
            intent = f"pi_demo_history_{gift_day:%Y%m}_{n}"
            amount = rng.choice([30_000, 50_000, 80_000, 120_000])
            if Donation.objects.filter(payment_intent_id=intent).exists():
                continue
            with time_machine.travel(_at(gift_day, 15 + n), tick=False):
                Donation.objects.create(
                    payment_intent_id=intent, community=community, amount=amount, currency="cny", status="succeeded",
                    donor_name=donors[(index + n) % len(donors)], anonymous=not donors[(index + n) % len(donors)], message="支持社区服务",
                )
    spend_day = month + timedelta(days=24)
    purpose = f"志愿服务物资（{spend_day:%Y年%m月}）"
    amount = rng.choice([18_000, 25_000, 36_000])
    if spend_day <= last_day and not Spending.objects.filter(community=community, purpose=purpose).exists():
        with time_machine.travel(_at(spend_day, 10), tick=False):
            spending_record(actor=staff, community=community, amount=amount, spent_on=spend_day,
                            purpose=purpose, payee="郭家沱街道便民超市")

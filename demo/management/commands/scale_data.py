"""Build a district-sized data set for the benchmarks, fast, with bulk inserts.

    manage.py scale_data                      # 120 communities, 50,000 people, 100,000 tasks,
                                              # 300,000 claims, 1,000,000 ledger entries
    manage.py scale_data --tasks 10000 --users 5000 --claims 30000 --ledger 100000   # SQLite size
    manage.py scale_data --extras 10000       # and 10,000 each of assistance applications, policies,
                                              # room bookings, budget proposals and ballots (demo/scale_extras.py)

The same seed gives the same district. It refuses to run on a database that already has tasks
(the benchmarks make a fresh one). Rows are written with ``bulk_create`` in batches, so the
models' own defaults and constraints still apply, and the points ledger is balanced: every
transaction's legs sum to zero and each account's cached balance is the sum of its entries, so
``manage.py points_audit`` passes on the result.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Community, District, Membership, Street, User
from demo.scale_extras import build_extras
from marketplace.models import Task
from marketplace.search import task_grams
from orders.models import Claim
from points.models import LedgerEntry, LedgerTransaction, PointsAccount

PLACES = ["锣旗寺", "东原", "郭家沱", "铁山坪", "五里店", "观音桥", "寸滩", "港城", "大石坝", "华新街", "石马河", "玉带山"]
ACTIVITIES = [
    ("陪伴独居老人", "elder_care", "上门聊天、读报，陪老人说说话"),
    ("助老送餐", "elder_care", "把社区食堂的午餐送到行动不便的老人家里"),
    ("义务理发", "elder_care", "为行动不便的老人上门理发"),
    ("家电维修", "repair", "检修电饭煲、电风扇等小家电"),
    ("楼道灯更换", "repair", "更换楼道里坏掉的声控灯"),
    ("四点半课堂辅导", "childcare", "放学后辅导孩子写作业"),
    ("防诈骗宣传", "culture", "在小区门口发放防诈骗宣传资料"),
    ("文明养犬宣传劝导", "culture", "劝导遛狗牵绳、清理粪便"),
    ("垃圾分类指导", "environment", "在投放点指导居民分类投放"),
    ("河道清洁", "environment", "沿河步道捡拾垃圾"),
    ("健康义诊", "other", "测血压、血糖，讲解慢病用药"),
    ("社区文艺汇演", "culture", "搬运道具、维持现场秩序"),
]


class Command(BaseCommand):
    help = "Build a district-sized data set with bulk inserts (for bench/)."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=120)
        parser.add_argument("--users", type=int, default=50_000)
        parser.add_argument("--tasks", type=int, default=100_000)
        parser.add_argument("--claims", type=int, default=300_000)
        parser.add_argument("--ledger", type=int, default=1_000_000, help="ledger entries (two per transaction)")
        parser.add_argument("--extras", type=int, default=0, help="how many of each newer object: applications, policies, bookings, proposals, ballots")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, **opts):
        if Task.objects.exists():
            raise CommandError("This database already has tasks; scale_data builds a fresh district only.")
        self.rng = random.Random(opts["seed"])
        self.batch = opts["batch"]
        self.now = timezone.now().replace(microsecond=0)
        started = time.perf_counter()
        with transaction.atomic():
            self.build_people(opts["communities"], opts["users"])
            self.build_tasks(opts["tasks"])
            self.build_claims(opts["claims"])
            self.build_ledger(opts["ledger"])
            extras = build_extras(self, opts["extras"]) if opts["extras"] else {}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM too, as autovacuum would have by the time a real district grew this large:
                # it marks the pages all-visible, so the dashboards' index-only scans need no heap.
                # (Not inside a transaction, where PostgreSQL refuses it: a test's.)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"scale_data: {opts['communities']} communities, {opts['users']} people, {opts['tasks']} tasks, "
            f"{self.claim_count} claims, {self.entry_count} ledger entries"
            + "".join(f", {count} {kind}" for kind, count in extras.items())
            + f" in {time.perf_counter() - started:.0f} s ({connection.vendor})"
        )

    # --- People ------------------------------------------------------------------------------------
    def build_people(self, n_communities: int, n_users: int):
        district = District.objects.create(name="江北区")
        streets = [Street.objects.create(district=district, name=f"{place}街道") for place in PLACES[:6]]
        self.communities = Community.objects.bulk_create(
            [Community(street=streets[i % len(streets)], name=f"{PLACES[i % len(PLACES)]}第{i + 1}社区") for i in range(n_communities)]
        )
        # One unusable password for the crowd (nobody logs in as them); the bench makes its own logins.
        unusable = make_password(None)
        User.objects.bulk_create(
            (User(username=f"p{i:06d}", display_name=f"居民{i}", password=unusable) for i in range(n_users)), batch_size=self.batch
        )
        self.user_ids = list(User.objects.filter(username__startswith="p").order_by("id").values_list("id", flat=True))
        self.staff_ids = []
        memberships = []
        # Person i lives in community i % n; one in ten volunteers there too; two staff per community.
        self.members_of: dict[int, list[int]] = {c.pk: [] for c in self.communities}
        for i, user_id in enumerate(self.user_ids):
            community = self.communities[i % n_communities]
            self.members_of[community.pk].append(user_id)
            if i < 2 * n_communities:
                memberships.append(Membership(user_id=user_id, community=community, role="staff"))
                continue
            memberships.append(Membership(user_id=user_id, community=community, role="resident"))
            if i % 3 == 0:
                memberships.append(Membership(user_id=user_id, community=community, role="volunteer"))
        Membership.objects.bulk_create(memberships, batch_size=self.batch)
        self.staff_of = {c.pk: self.members_of[c.pk][0] for c in self.communities}

    # --- Tasks -------------------------------------------------------------------------------------
    def build_tasks(self, n_tasks: int):
        rng = self.rng
        rows = []
        for i in range(n_tasks):
            community = self.communities[i % len(self.communities)]
            title, category, description = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
            place = PLACES[rng.randrange(len(PLACES))]
            # Three years of history and two months ahead: most tasks are over, some are to come.
            start = (self.now + timedelta(days=rng.randint(-1095, 60), hours=rng.randint(-6, 6))).replace(minute=0, second=0)
            full_title, full_description = f"{place}{title}", f"{description}。地点：{place}小区{rng.randint(1, 30)}栋。"
            rows.append(
                Task(
                    community=community,
                    title=full_title,
                    description=full_description,
                    search_grams=task_grams(full_title, full_description),  # bulk_create skips save()
                    category=category,
                    starts_at=start,
                    ends_at=start + timedelta(hours=rng.choice([1, 2, 2, 3, 4])),
                    location=f"{place}小区{rng.randint(1, 30)}栋",
                    slots=rng.randint(1, 6),
                    points=rng.choice([5, 10, 10, 20]),
                    status=Task.Status.OPEN,
                    published_at=self.now,  # bulk_create skips save(), which would set it
                    created_by_id=self.staff_of[community.pk],
                )
            )
        Task.objects.bulk_create(rows, batch_size=self.batch)
        self.tasks = list(Task.objects.order_by("id").values_list("id", "community_id", "slots", "starts_at", "ends_at", "points"))

    # --- Claims ------------------------------------------------------------------------------------
    def build_claims(self, n_claims: int):
        rng = self.rng
        per_task = max(1, -(-n_claims // max(1, len(self.tasks))))  # rounded up: the count is reached
        rows, taken, status_of = [], {}, {}
        self.verified = []  # (claim index, user_id, community_id, points) for the ledger
        for task_id, community_id, slots, starts_at, ends_at, points in self.tasks:
            if len(rows) >= n_claims:
                break
            over = ends_at < self.now
            members = self.members_of[community_id]
            people = rng.sample(members, min(len(members), per_task + rng.randint(-1, 1)))
            live = 0
            for user_id in people:
                if len(rows) >= n_claims:
                    break
                if live >= slots:
                    status = Claim.Status.WITHDRAWN  # a slot freed by someone who withdrew earlier
                elif over:
                    status = rng.choices([Claim.Status.VERIFIED, Claim.Status.NO_SHOW, Claim.Status.WITHDRAWN], [85, 5, 10])[0]
                else:
                    status = rng.choices([Claim.Status.CLAIMED, Claim.Status.WITHDRAWN], [92, 8])[0]
                verified = status == Claim.Status.VERIFIED
                if status in Claim.LIVE:
                    live += 1
                hours = Decimal((ends_at - starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))
                rows.append(
                    Claim(
                        task_id=task_id,
                        user_id=user_id,
                        status=status,
                        checked_in_at=starts_at if verified else None,
                        checked_out_at=ends_at if verified else None,
                        credited_hours=hours if verified else Decimal("0"),
                        hours=hours if verified else None,  # recorded at verification: what every total counts
                        points_awarded=points if verified else 0,
                        verified_by_id=self.staff_of[community_id] if verified else None,
                        # an hour after the end, and never later than now (nothing is verified in the future)
                        verified_at=min(ends_at + timedelta(hours=1), self.now) if verified else None,
                    )
                )
                if verified:
                    self.verified.append((user_id, community_id, points))
            taken[task_id] = live
            if over:
                status_of[task_id] = Task.Status.DONE if live else Task.Status.EXPIRED
            elif live >= slots:
                status_of[task_id] = Task.Status.FULL
        Claim.objects.bulk_create(rows, batch_size=self.batch)
        self.claim_count = len(rows)
        # slots_taken and the status follow the claims, as the services would have left them.
        for task_id, _c, slots, _s, ends_at, _p in self.tasks:
            if task_id not in status_of and ends_at < self.now:
                status_of[task_id] = Task.Status.EXPIRED
        by_value: dict[tuple, list[int]] = {}
        for task_id, _c, _sl, _s, _e, _p in self.tasks:
            key = (taken.get(task_id, 0), status_of.get(task_id, Task.Status.OPEN))
            if key != (0, Task.Status.OPEN):
                by_value.setdefault(key, []).append(task_id)
        for (slots_taken, status), ids in by_value.items():
            for start in range(0, len(ids), self.batch):
                Task.objects.filter(id__in=ids[start : start + self.batch]).update(slots_taken=slots_taken, status=status)

    # --- Points ledger -----------------------------------------------------------------------------
    def build_ledger(self, n_entries: int):
        rng = self.rng
        n_transactions = n_entries // 2
        district = PointsAccount.objects.create(kind=PointsAccount.Kind.DISTRICT)
        pools = {c.pk: PointsAccount(kind=PointsAccount.Kind.POOL, community=c) for c in self.communities}
        sinks = {c.pk: PointsAccount(kind=PointsAccount.Kind.SINK, community=c) for c in self.communities}
        PointsAccount.objects.bulk_create([*pools.values(), *sinks.values()])
        person_keys = sorted({(c, u) for u, c, _p in self.verified})
        persons = PointsAccount.objects.bulk_create(
            [PointsAccount(kind=PointsAccount.Kind.PERSON, community_id=c, user_id=u) for c, u in person_keys], batch_size=self.batch
        )
        account_of = {key: account for key, account in zip(person_keys, persons, strict=True)}
        balance = {account.pk: 0 for account in [district, *pools.values(), *sinks.values(), *persons]}
        legs: list[tuple[int, int, str, int, int]] = []  # (transaction no, account, kind, amount)

        def move(kind, source, target, amount):
            number = len(legs) // 2
            balance[source.pk] -= amount
            balance[target.pk] += amount
            legs.append((number, source.pk, kind, -amount, balance[source.pk]))
            legs.append((number, target.pk, kind, amount, balance[target.pk]))

        budget = 10 * sum(p for _u, _c, p in self.verified) // max(1, len(self.communities)) + 100_000
        for community in self.communities:
            move("budget", district, pools[community.pk], budget)
        # Every verified claim was paid once; then people spend and give points until the ledger
        # holds the asked-for number of entries.
        for user_id, community_id, points in self.verified[: max(0, n_transactions - len(self.communities))]:
            move("award", pools[community_id], account_of[(community_id, user_id)], points)
        holders = list(persons)
        attempts = 0
        while len(legs) < 2 * n_transactions and holders and attempts < 20 * n_transactions:
            attempts += 1
            account = holders[rng.randrange(len(holders))]
            if balance[account.pk] <= 0:
                continue
            amount = rng.randint(1, min(balance[account.pk], 50))
            if rng.random() < 0.7:
                move("redemption", account, sinks[account.community_id], amount)
            else:
                peers = self.members_of[account.community_id]
                target = account_of.get((account.community_id, peers[rng.randrange(len(peers))]))
                if target is None or target.pk == account.pk:
                    continue
                move("transfer", account, target, amount)
        transactions = LedgerTransaction.objects.bulk_create(
            (LedgerTransaction(kind=legs[2 * n][2], idempotency_key=f"scale-{n}", memo="scale_data") for n in range(len(legs) // 2)),
            batch_size=self.batch,
        )
        tx_ids = [t.pk for t in transactions]
        if tx_ids and tx_ids[0] is None:  # backends that do not return ids from bulk inserts
            tx_ids = list(LedgerTransaction.objects.filter(idempotency_key__startswith="scale-").order_by("id").values_list("id", flat=True))
        LedgerEntry.objects.bulk_create(
            (LedgerEntry(transaction_id=tx_ids[n], account_id=a, amount=amount, balance_after=after) for n, a, _k, amount, after in legs),
            batch_size=self.batch,
        )
        self.entry_count = len(legs)
        by_balance: dict[int, list[int]] = {}
        for account_id, value in balance.items():
            if value:
                by_balance.setdefault(value, []).append(account_id)
        for value, ids in by_balance.items():
            for start in range(0, len(ids), self.batch):
                PointsAccount.objects.filter(id__in=ids[start : start + self.batch]).update(balance=value)

"""Time the community and district dashboards on a large data set.

    .venv/bin/python bench/dashboard_latency.py --tasks 100000
    DATABASE_URL=postgres://…/bench .venv/bin/python bench/dashboard_latency.py --scale   # 1,000,000 ledger lines

Builds (once, in its own SQLite file under bench/out/, or the database DATABASE_URL names) a
district with the given number of tasks spread over 120 communities, with claims, needs and ledger
entries, using bulk inserts; then renders each dashboard through Django's test client a few times
and prints the median and the slowest time. It prints one line per figure.

With ``--scale`` the district is ``manage.py scale_data``'s (120 communities, 100,000 tasks,
300,000 claims, 1,000,000 ledger lines by default; ``--ledger``/``--claims`` make it smaller),
and the dashboards are compared with their targets (#35: district <= 100 ms, community <= 50 ms,
median on PostgreSQL). The dashboards read whole months from the rollups (dashboards/rollups.py);
``--audit`` also runs ``manage.py rollup_audit`` on the data and prints how long it took.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=120)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", action="store_true", help="build the district with manage.py scale_data and compare with the targets")
    parser.add_argument("--claims", type=int, default=300_000, help="with --scale")
    parser.add_argument("--ledger", type=int, default=1_000_000, help="with --scale: ledger lines")
    parser.add_argument("--audit", action="store_true", help="time manage.py rollup_audit too")
    parser.add_argument(
        "--figures-from", metavar="FILE",
        help="time the pages with another dashboards/figures.py, e.g. the one before the rollups: git show 4be45e9:dashboards/figures.py > bench/out/figures_before.py",
    )  # fmt: skip
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{out / f'dashboard-{args.tasks}.sqlite3'}")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from accounts.models import Community, District, Membership, Street, User
    from marketplace.models import Need, Task
    from orders.models import Claim

    if args.scale and not Task.objects.exists():
        started = time.perf_counter()
        call_command("scale_data", tasks=args.tasks, claims=args.claims, ledger=args.ledger, seed=args.seed)
        print(f"data: scale_data in {time.perf_counter() - started:.0f} s")
    if args.scale and not User.objects.filter(username="bench_staff").exists():
        staff = User.objects.create_user("bench_staff", password="x")
        Membership.objects.bulk_create([Membership(user=staff, community=c, role="staff") for c in Community.objects.all()])
    if not Task.objects.exists():
        rng = random.Random(args.seed)
        started = time.perf_counter()
        district = District.objects.create(name="江北区")
        street = Street.objects.create(district=district, name="郭家沱街道")
        communities = Community.objects.bulk_create([Community(street=street, name=f"社区{i}") for i in range(args.communities)])
        staff = User.objects.create_user("bench_staff", password="x")
        Membership.objects.bulk_create([Membership(user=staff, community=c, role="staff") for c in communities])
        users = User.objects.bulk_create([User(username=f"v{i}", password="!") for i in range(2000)])
        from django.utils import timezone

        now = timezone.now()
        categories = ["elder_care", "repair", "culture", "education", "environment"]
        batch = []
        for i in range(args.tasks):
            start = now - timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 23))
            batch.append(Task(
                community=communities[i % len(communities)], title=f"社区服务任务 {i}", category=rng.choice(categories), starts_at=start,
                ends_at=start + timedelta(hours=2), location="x", slots=2, slots_taken=rng.randint(0, 2), points=10,
                status=rng.choice(["open", "full", "done", "done"]), created_by=staff,
            ))
            if len(batch) == 5000:
                Task.objects.bulk_create(batch)
                batch = []
        Task.objects.bulk_create(batch)
        task_ids = list(Task.objects.values_list("id", "community_id", "starts_at"))
        claims = []
        for task_id, _community_id, start in rng.sample(task_ids, min(len(task_ids), args.tasks // 2)):
            claims.append(Claim(task_id=task_id, user=rng.choice(users), status="verified", credited_hours=Decimal("1.50"), hours=Decimal("1.50"), verified_at=start + timedelta(hours=3)))
            if len(claims) == 5000:
                Claim.objects.bulk_create(claims)
                claims = []
        Claim.objects.bulk_create(claims)
        needs = [Need(community=communities[i % len(communities)], author=users[i % len(users)], title=f"需求{i}", category="other",
                      status=rng.choice(["submitted", "triaged", "resolved"])) for i in range(args.tasks // 10)]
        Need.objects.bulk_create(needs, batch_size=5000)
        print(f"data: {args.tasks} tasks, {Claim.objects.count()} claims, {len(needs)} needs in {time.perf_counter() - started:.1f} s")

    from django.test import Client

    if args.figures_from:
        import importlib.util

        import dashboards.views

        spec = importlib.util.spec_from_file_location("figures_compared", args.figures_from)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        dashboards.views.dashboard = module
        print(f"figures: {args.figures_from}")

    client = Client()
    client.force_login(User.objects.get(username="bench_staff"))
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench_admin", password="x")
    district_client = Client()
    district_client.force_login(admin)
    community = Community.objects.order_by("id").first()

    from points.models import LedgerEntry

    ledger_lines = LedgerEntry.objects.count()
    print(f"data: {Task.objects.count()} tasks, {Claim.objects.count()} claims, {ledger_lines} ledger lines ({connection_vendor()})")
    if args.audit:
        import io

        t0 = time.perf_counter()
        out = io.StringIO()
        try:
            call_command("rollup_audit", stdout=out, stderr=out)
        except SystemExit:
            pass
        print(f"rollup_audit in {time.perf_counter() - t0:.1f} s: {out.getvalue().strip().splitlines()[0]}")

    def timed(c, url):
        c.get(url)  # warm: the first request of a process pays for imports and template loading
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = c.get(url)
            assert response.status_code == 200, response.status_code
            times.append(time.perf_counter() - t0)
        return statistics.median(times), max(times)

    targets = {"district dashboard": 100, "community dashboard": 50}
    met = True
    for label, c, url in [
        ("community dashboard", client, f"/communities/{community.pk}/dashboard/"),
        ("district dashboard", district_client, "/district/dashboard/"),
        ("public information page", Client(), f"/communities/{community.pk}/info/"),
    ]:
        median, worst = timed(c, url)
        target = targets.get(label)
        verdict = f", target <= {target} ms: {'met' if median * 1000 <= target else 'MISSED'}" if target and args.scale else ""
        met = met and not verdict.endswith("MISSED")
        print(f"{label} at {ledger_lines} ledger lines, {args.tasks} tasks: median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms ({connection_vendor()}){verdict}")
    if args.scale:
        print("every dashboard target met" if met else "a dashboard target was missed")


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()

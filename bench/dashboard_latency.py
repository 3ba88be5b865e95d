"""Time the community and district dashboards on a large data set.

    .venv/bin/python bench/dashboard_latency.py --tasks 100000

Builds (once, in its own SQLite file under bench/out/, or the database DATABASE_URL names) a
district with the given number of tasks spread over 120 communities, with claims, needs and ledger
entries, using bulk inserts; then renders each dashboard through Django's test client a few times
and prints the median and the slowest time. It prints one line per figure.
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

    client = Client()
    client.force_login(User.objects.get(username="bench_staff"))
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench_admin", password="x")
    district_client = Client()
    district_client.force_login(admin)
    community = Community.objects.order_by("id").first()

    def timed(c, url):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = c.get(url)
            assert response.status_code == 200, response.status_code
            times.append(time.perf_counter() - t0)
        return statistics.median(times), max(times)

    for label, c, url in [
        ("community dashboard", client, f"/communities/{community.pk}/dashboard/"),
        ("district dashboard", district_client, "/district/dashboard/"),
        ("public information page", Client(), f"/communities/{community.pk}/info/"),
    ]:
        median, worst = timed(c, url)
        print(f"{label} at {args.tasks} tasks: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms ({connection_vendor()})")


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()

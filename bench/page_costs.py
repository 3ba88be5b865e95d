"""What five signed-in pages cost to build with every page cache off (issue #35), from their
Server-Timing header (core/timing.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cm_bench_100k REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/page_costs.py [--times 50] [--build]

Django runs in this process and is asked through its test client (Django's own request handler and
every middleware, no HTTP server), one request after another: one connection. It signs in as the
busiest volunteer of the busiest community (bench/fixtures.py), switches the page cache and the
public cache off (PAGE_CACHE_SECONDS=0, PUBLIC_CACHE_SECONDS=0; sessions still live in Redis when
REDIS_URL is set), and asks the home page, that community's board, the first task on it, my claims
and my points --times times each after two warm-up requests, the pages taking turns. It prints, per page, the median of the
server's own time (``app``) and of its parts (database with the query count, templates, Redis), and
each median against its target (on a machine shared with other work the wall times wait for the CPU
too: the CPU time of this process's thread per request, printed beside them, varies less); then "every target met" or "targets missed" (exit status 1).
``--build`` first builds a district with ``manage.py scale_data`` if the database has no task
(``--tasks``, default 100,000, with people, claims and ledger lines in the proportions of
bench/run.py); otherwise the district already there is used, and its size printed.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.update(SERVER_TIMING="1", PAGE_CACHE_SECONDS="0", PUBLIC_CACHE_SECONDS="0")
os.environ.setdefault("DEBUG", "0")  # DEBUG=1 keeps every query's text: not what a server pays
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

TARGETS_MS = {"home": 8, "board": 6, "task": 6, "my claims": 5, "my points": 5}
ENTRY = re.compile(r'(\w+);dur=([\d.]+)(?:;desc="(\d+) [^"]*")?')


def build_if_empty(tasks: int) -> None:
    """scale_data in a child process before Django is set up here (it needs a database with no task)."""
    check = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from marketplace.models import Task; print(int(Task.objects.exists()))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    if check.stdout.strip().endswith("1"):
        return
    scale = tasks / 100_000
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "scale_data", "--tasks", str(tasks), "--users", str(int(50_000 * scale)),
         "--claims", str(int(300_000 * scale)), "--ledger", str(int(1_000_000 * scale))],
        cwd=ROOT, check=True,
    )


def parse(header: str) -> dict[str, tuple[float, int | None]]:
    return {name: (float(dur), int(count) if count else None) for name, dur, count in ENTRY.findall(header)}


def ask(client, path: str) -> tuple[dict, float]:
    started = time.thread_time()
    response = client.get(path)
    cpu = (time.thread_time() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return parse(response["Server-Timing"]), cpu


def measure(client, pages: dict[str, str], times: int) -> dict[str, dict]:
    """Each page ``times`` times, the pages taking turns (home, board, …, home, board, …), so a
    spell of load from elsewhere on the machine falls on every page alike."""
    for path in pages.values():
        for _ in range(2):  # warm-up: translations, content types, the first CSRF cookie
            ask(client, path)
    rows: dict[str, list] = {label: [] for label in pages}
    for _ in range(times):
        for label, path in pages.items():
            rows[label].append(ask(client, path))
    medians = {}
    for label, answers in rows.items():
        timings = [t for t, _cpu in answers]
        median = {part: statistics.median(t[part][0] for t in timings) for part in ("app", "db", "tpl", "cache")}
        median["cpu"] = statistics.median(cpu for _t, cpu in answers)
        median["queries"] = statistics.median(t["db"][1] for t in timings)
        median["cache_calls"] = statistics.median(t["cache"][1] for t in timings)
        medians[label] = median
    return medians


def show_queries(client, path: str) -> None:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    for q in queries.captured_queries:
        print(f"    {float(q['time']) * 1000:6.2f} ms  {q['sql'][:300]}")


def show_profile(client, path: str, times: int, rows: int) -> None:
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(times):
        client.get(path)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(rows)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--times", type=int, default=50, help="requests per page (after two warm-up requests)")
    parser.add_argument("--build", action="store_true", help="build a district first if the database has none")
    parser.add_argument("--tasks", type=int, default=100_000, help="the district's size with --build")
    parser.add_argument("--only", help="one page's label (home, board, task, my claims, my points)")
    parser.add_argument("--queries", action="store_true", help="also print each page's SQL (one request) with its time")
    parser.add_argument("--profile", type=int, metavar="N", help="also print each page's N costliest functions (cProfile, own time)")
    args = parser.parse_args()
    if args.build:
        build_if_empty(args.tasks)
    # With DEBUG off pages name their static files through the manifest, as under `make serve`.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, check=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415 - set up after the environment above

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from bench import fixtures  # noqa: PLC0415
    from marketplace import selectors  # noqa: PLC0415
    from marketplace.models import Task  # noqa: PLC0415

    assert settings.SERVER_TIMING and settings.PAGE_CACHE_SECONDS == 0 and settings.PUBLIC_CACHE_SECONDS == 0
    community = fixtures.busiest_community()
    person = fixtures.signed_in()
    user = User.objects.get(pk=person["user"])
    board = f"/tasks/?community={community.pk}"
    # The first task the board shows (open with free slots first, soonest first).
    task = (
        selectors.task_list(viewer=user, filters={"community": community.pk}).filter(status=Task.Status.OPEN)
        .order_by("starts_at", "id").first()
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for cookie in person["cookie"].split("; "):
        name, _, value = cookie.partition("=")
        client.cookies[name] = value
    pages = {"home": "/", "board": board, "task": f"/tasks/{task.pk}/", "my claims": "/claims/", "my points": "/points/"}
    if args.only:
        pages = {args.only: pages[args.only]}
    print(
        f"page_costs: {Task.objects.count():,} tasks, {connection.vendor}, Redis {'on' if settings.REDIS_URL else 'off'}, "
        f"page caches off, one connection, Django in-process (test client), {args.times} requests a page; "
        f"volunteer #{user.pk} ({person['claims']} claims) of community #{community.pk}"
    )
    met = True
    medians = measure(client, pages, args.times)
    for label, path in pages.items():
        m = medians[label]
        if args.queries:
            show_queries(client, path)
        if args.profile:
            show_profile(client, path, args.times, args.profile)
        target = TARGETS_MS[label]
        ok = m["app"] <= target
        met &= ok
        print(
            f"{label:<10} {path:<22} app {m['app']:6.2f} ms (db {m['db']:5.2f} ms / {m['queries']:.0f} queries, "
            f"tpl {m['tpl']:5.2f}, cache {m['cache']:4.2f} / {m['cache_calls']:.0f} calls; Django's CPU {m['cpu']:5.2f})  target <= {target} ms  {'ok' if ok else 'MISSED'}"
        )
    print("every target met" if met else "targets missed")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()

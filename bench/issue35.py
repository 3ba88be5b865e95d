"""The busy hour and the new pages at scale (issue #35): `make bench BENCH_ARGS="--only issue35"`.

Called by bench/run.py with run.py itself (``m``: say, wrk, fixtures, Server, Gunicorn...) on the
100,000-task district with 10,000 of each newer object (scale_data --extras). In order:
  1. R: /healthz under gunicorn's sync workers, in this run, as the rest of `make bench` measures it;
  2. `make serve` (2 workers, PostgreSQL + Redis, SERVER_TIMING=1 so pages say where their time
     went); first the new pages and the search of 3., on a server at rest; then bench/busyhour.py: 1,000 signed-in people at
     fixed rates stepping up as shares of R, open loop, 5-10 % writes, with the claim storm (200
     volunteers at once for 10 slots) in the middle of the step nearest 15 % of R;
  3. the new pages (assistance inbox, policy search, a room's week, a budget's results) and the
     signed-in search API q=理发, each with wrk at 32 connections as a share of R;
  4. the peak memory of each worker;
  5. the five signed-in pages with every page cache off, one connection (bench/page_costs.py);
  6. the district and community dashboards on the same district (bench/dashboard_latency.py --scale).
Each figure is printed with its target and "ok" or "MISSED".
"""

import json
import os
import sys
import tempfile
import urllib.parse
from pathlib import Path

BUSY_SHARES = "0.01,0.02,0.05,0.10,0.15,0.20,0.30"
NEW_PAGES_SHARE, NEW_PAGES_P99_MS = 0.10, 250
BUSY_SHARE, BUSY_P99_MS = 0.15, 300


def run(m, args, database_url: str) -> None:
    # Other work on the machine moves every figure (R too): say how busy it was.
    print("bench: load average before the run: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()), flush=True)
    info = m.fixtures(database_url, "info")
    person = m.fixtures(database_url, "signed_in")
    m.sh("redis-cli", "-n", m.REDIS.rsplit("/", 1)[1], "flushdb")
    with m.Gunicorn(database_url):
        reference = m.wrk("/healthz", args.duration)
    R = reference["rps"]
    m.say(f"R: GET /healthz under gunicorn (sync WSGI, 2 workers): {R:.0f} requests/s, p99 {reference['p99_us'] / 1000:.1f} ms")

    tokens = Path(tempfile.mkstemp(prefix="storm-", suffix=".txt")[1])
    storm_task = m.fixtures(database_url, "storm", "--people", "200", "--slots", "10", "--tokens", str(tokens))["task"]
    people_file = Path(tempfile.mkstemp(prefix="busy-", suffix=".json")[1])
    made = json.loads(m.sh(m.PY, "bench/busy_fixtures.py", "--people", "1000", "--out", str(people_file), env=m.environment(database_url)).strip().splitlines()[-1])
    print(f"bench: busy hour: {made['people']} people in {made['communities']} communities, {made['shift_claims']} on a shift now", flush=True)
    peaks: list[float] = []
    with m.Server(database_url, SERVER_TIMING="1") as server:
        # The new pages and the search first, on a server at rest: after a saturated step of the busy
        # hour its queue takes a while to drain, and wrk would measure the backlog.
        pages = json.loads(people_file.read_text())["pages"]
        for label, page in pages.items():
            f = m.wrk(page["path"], args.duration, headers=(f"Cookie: {page['cookie']}",))
            ratio = f["rps"] / R
            m.say(f"{label} {page['path']}, signed in: {f['rps']:.0f} requests/s = {ratio:.0%} of R, p50 {f['p50_us'] / 1000:.1f} ms, "
                  f"p99 {f['p99_us'] / 1000:.1f} ms" + (f", {f['non2xx']} not 2xx" if f["non2xx"] else "")
                  # wrk leaves an answer slower than 2 s out of its percentiles and counts it here
                  + (f", {f['socket_errors']} timed out or broken" if f["socket_errors"] else "")
                  + f" (target: >= {NEW_PAGES_SHARE:.0%} of R, p99 < {NEW_PAGES_P99_MS} ms)",
                  ratio >= NEW_PAGES_SHARE and f["p99_us"] < NEW_PAGES_P99_MS * 1000 and f["non2xx"] == 0 == f["socket_errors"])
        missing = {"assistance inbox", "policy search", "a room's week", "a budget's results"} - set(pages)
        if missing:
            m.say(f"new pages not measured (no rows for them: build the district with scale_data --extras): {', '.join(sorted(missing))}", False)
        path = f"/api/v1/tasks?q={urllib.parse.quote(info['q'])}"
        f = m.wrk(path, args.duration, headers=(f"Authorization: Bearer {person['token']}",))
        m.say(f"search API q=理发, signed in (token) {path}: {f['rps']:.0f} requests/s = {f['rps'] / R:.0%} of R, p99 {f['p99_us'] / 1000:.1f} ms "
              f"(target: p99 < 250 ms)", f["p99_us"] < 250_000 and f["non2xx"] == 0)
        out = m.sh(m.PY, "bench/busyhour.py", "--base", m.BASE, "--fixtures", str(people_file), "--secret-key", server.env["SECRET_KEY"],
                   "--reference", f"{R:.1f}", "--shares", getattr(args, "busy_shares", BUSY_SHARES), "--seconds", str(args.duration),
                   "--storm-task", str(storm_task), "--storm-tokens", str(tokens))
        print("\n".join(line for line in out.splitlines() if not line.startswith("BUSY_JSON ")), flush=True)
        summary = json.loads(out.split("BUSY_JSON ", 1)[1].splitlines()[0])
        best = summary["best_rate"]
        writes = [s["writes"] / max(1, s["sent"]) for s in summary["steps"]]
        m.say(f"busy-hour mix, open loop, 1,000 signed-in people ({min(writes):.1%}-{max(writes):.1%} writes): highest rate with p99 < {BUSY_P99_MS} ms "
              f"and 0 errors {best:.0f} requests/s = {best / R:.0%} of R; p99 crossed {BUSY_P99_MS} ms at "
              + (f"{summary['crossed_at']:.0f} requests/s ({summary['crossed_at'] / R:.0%} of R)" if summary["crossed_at"] else "no rate tried")
              + f" (target: >= {BUSY_SHARE:.0%} of R)", best / R >= BUSY_SHARE)
        storm = summary["storm"]
        state = m.fixtures(database_url, "count", "--task", str(storm_task))
        m.say(f"claim storm during the busy hour: 200 claims at once for 10 slots -> {storm['201']} x 201, {storm['409']} x 409, {storm['other']} other; "
              f"{state['live_claims']} claims stored; slowest answer {storm['slowest_ms']} ms (target: exact; slowest < 1000 ms)",
              storm["201"] == 10 and storm["409"] == 190 and storm["other"] == 0 and state["live_claims"] == 10 == state["slots_taken"] and storm["slowest_ms"] < 1000)
        peaks += server.peak_memory_mb()
    tokens.unlink(missing_ok=True)
    people_file.unlink(missing_ok=True)
    print("bench: load average after the run: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()), flush=True)
    m.say(f"peak memory per server worker: {max(peaks):.0f} MB (each: {', '.join(f'{p:.0f}' for p in peaks)} MB; target: < 200 MB)", max(peaks) < 200)
    # The five signed-in pages built with every page cache off, one connection (bench/page_costs.py
    # prints each median with its target); then the dashboards (bench/dashboard_latency.py).
    costs = m.sh(m.PY, "bench/page_costs.py", "--times", "40", env=m.environment(database_url, ALLOWED_HOSTS="testserver"), check=False)
    print(costs.rstrip(), flush=True)
    m.say("pages built with every page cache off, one connection (bench/page_costs.py above): "
          + ("every target met" if "every target met" in costs else "targets missed"), "every target met" in costs)
    dashboards = m.sh(m.PY, "bench/dashboard_latency.py", "--scale", "--runs", "9", env=m.environment(database_url, ALLOWED_HOSTS="testserver"), check=False)
    print(dashboards.rstrip(), flush=True)
    m.say("district and community dashboards from the rollups (bench/dashboard_latency.py above): "
          + ("every target met" if "every dashboard target met" in dashboards else "targets missed"), "every dashboard target met" in dashboards)


if __name__ == "__main__":
    sys.exit("bench/issue35.py runs from bench/run.py: make bench BENCH_ARGS='--only issue35'")

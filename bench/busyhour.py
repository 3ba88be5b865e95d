"""The busy hour, open loop (issue #35): many signed-in people reading and writing at once.

    .venv/bin/python bench/busyhour.py --base http://127.0.0.1:8100 --fixtures FILE --secret-key KEY \
        --reference 3400 --shares 0.05,0.10,0.15,0.20 --seconds 10 [--storm-tokens FILE --storm-task ID]

Requests leave at a fixed rate whatever the server does (open loop: the k-th request of a step is
meant to leave at start + k / rate), and each one's latency is counted from that intended moment,
so a server that falls behind shows its queue in the figures instead of slowing the generator
down. The people (bench/busy_fixtures.py: distinct volunteers with signed-in sessions and CSRF
cookies) take turns; each follows home → board → a task → claim or not → my claims → my points,
and at the "claim or not" step sometimes writes through the real API with their session and CSRF
token: a claim on the task they read, withdrawing a claim they made, checking in to their shift
(the code staff show, derived as the server derives it), checking out, submitting, redeeming a
reward; and staff verify submitted claims in bulk. 409 answers (a task just filled, too few
points) are answers, not errors; anything else not 2xx, a timeout or a broken connection is.

If the server sends ``Server-Timing`` (SERVER_TIMING=1), the run prints per page kind where the
time went (db, tpl, cache...). With ``--storm-task``, 200 volunteers (one token each) claim that
task's 10 slots at once in the middle of the step nearest 15 % of R.

Prints one line per step and, last, ``BUSY_JSON {...}`` for bench/run.py.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import re
import time
from collections import Counter, defaultdict

import aiohttp

P99_TARGET_MS = 300
TIMING = re.compile(r"([A-Za-z0-9_.-]+)\s*(?:;[^,]*?dur=([0-9.]+))?")
READS = {"home", "board", "task", "my claims", "my points"}


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def server_timing(header: str) -> dict[str, float]:
    """``db;dur=3.1, tpl;dur=5.0;desc="templates"`` -> {"db": 3.1, "tpl": 5.0}."""
    found = {}
    for part in header.split(","):
        match = TIMING.match(part.strip())
        if match and match.group(2) is not None:
            found[match.group(1)] = found.get(match.group(1), 0.0) + float(match.group(2))
    return found


def checkin_code(secret_key: str, task_id: int, now: float) -> str:
    """The code staff show on site (marketplace.services.task_checkin_code): read off their screen."""
    window = int(now // 600)
    digest = hmac.new(secret_key.encode(), f"checkin:{task_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


class Person:
    STEPS = ("home", "board", "task", "decide", "my claims", "my points")

    def __init__(self, data: dict, step: int = 0):
        self.data = data
        self.step = step  # where in their session they are when the run starts: not all at home at once
        self.task = None
        self.claims: list[int] = []  # claims made in this run, still live: they may withdraw one
        shift = data.get("shift")
        self.shift_state = "claimed" if shift else "none"
        self.busy = False  # a write of theirs is on its way: the next waits for its answer


class Mix:
    """Chooses each person's next request and learns from the answers (claim ids, shift states)."""

    def __init__(self, fixtures: dict, secret_key: str, seed: int = 35):
        self.people = [Person(p, i % len(Person.STEPS)) for i, p in enumerate(fixtures["people"])]
        self.staff = fixtures["staff"]
        self.secret_key = secret_key
        self.rng = random.Random(seed)
        self.turn = 0
        self.submitted: dict[str, list[int]] = defaultdict(list)  # community -> claims to verify

    def next_request(self):
        person = self.people[self.turn % len(self.people)]
        self.turn += 1
        data = person.data
        while True:
            name = Person.STEPS[person.step % len(Person.STEPS)]
            person.step += 1
            if name == "home":
                return person, "home", "GET", "/", None
            if name == "board":
                return person, "board", "GET", f"/tasks/?community={data['community']}", None
            if name == "task":
                person.task = self.rng.choice(data["tasks"]) if data["tasks"] else None
                if person.task:
                    return person, "task", "GET", f"/tasks/{person.task}/", None
                continue
            if name == "my claims":
                return person, "my claims", "GET", "/claims/", None
            if name == "my points":
                return person, "my points", "GET", "/points/", None
            write = None if person.busy else self.write_for(person)
            if write:
                return write

    def write_for(self, person: Person):
        data, roll = person.data, self.rng.random()
        if roll < 0.15 and person.task:
            return person, "claim", "POST", f"/api/v1/tasks/{person.task}/claims", {}
        if roll < 0.23 and person.claims:
            return person, "withdraw", "POST", f"/api/v1/claims/{person.claims.pop()}/withdraw", {}
        if roll < 0.35 and person.shift_state in ("claimed", "in", "out"):
            shift = data["shift"]
            code = checkin_code(self.secret_key, shift["task"], time.time())
            kind, path, body = {
                "claimed": ("check-in", "check-in", {"code": code}),
                "in": ("check-out", "check-out", {"code": code}),
                "out": ("submit", "submit", {"note": "基准测试"}),
            }[person.shift_state]
            return person, kind, "POST", f"/api/v1/claims/{shift['claim']}/{path}", body
        if roll < 0.41:
            return person, "redeem", "POST", "/api/v1/redemptions", {"reward_id": data["reward"], "quantity": 1}
        waiting = self.submitted.get(str(data["community"]))
        if roll < 0.45 and waiting:
            ids, self.submitted[str(data["community"])] = waiting[:20], waiting[20:]
            return None, "staff verify", "POST", "/api/v1/claims/verify", {"claim_ids": ids, "_community": str(data["community"])}
        return None

    def answered(self, person: Person | None, kind: str, status: int, body: dict | None):
        if person is not None:
            person.busy = False
        if kind == "claim" and status == 201 and body:
            person.claims.append(body["id"])
        elif kind in ("check-in", "check-out", "submit") and status == 200:
            person.shift_state = {"check-in": "in", "check-out": "out", "submit": "submitted"}[kind]
            if kind == "submit":
                self.submitted[str(person.data["community"])].append(person.data["shift"]["claim"])


EXPECTED = {"claim": {201, 409}, "withdraw": {200, 409}, "redeem": {201, 409}, "check-in": {200}, "check-out": {200}, "submit": {200},
            "staff verify": {200}}


class Step:
    def __init__(self, rate: float):
        self.rate = rate
        self.sent = self.ok = self.errors = self.writes = 0
        self.latency: list[float] = []
        self.by_kind: dict[str, list[float]] = defaultdict(list)
        self.timing: dict[str, Counter] = defaultdict(Counter)
        self.timed: Counter = Counter()
        self.problems: Counter = Counter()


async def send(http, base, mix, step, person, kind, method, path, body, intended):
    loop = asyncio.get_running_loop()
    headers = {}
    if kind == "staff verify":
        session = mix.staff[body.pop("_community")]
    else:
        session = person.data
    headers["Cookie"] = session["cookie"]
    if method == "POST":
        headers["X-CSRFToken"] = session["csrf"]
        if person is not None:
            person.busy = True
    status, answer = None, None
    try:
        async with http.request(method, base + path, headers=headers, json=body if method == "POST" else None, allow_redirects=False) as response:
            status = response.status
            raw = await response.read()
            if method == "POST" and status in (200, 201):
                answer = json.loads(raw)
            timing = response.headers.get("Server-Timing")
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        step.errors += 1
        step.problems[f"{kind}: {type(exc).__name__}"] += 1
        mix.answered(person, kind, 0, None)
        return
    elapsed_ms = (loop.time() - intended) * 1000
    expected = EXPECTED.get(kind, {200})
    if status in expected:
        step.ok += 1
    else:
        step.errors += 1
        step.problems[f"{kind}: {status}"] += 1
    step.latency.append(elapsed_ms)
    step.by_kind[kind].append(elapsed_ms)
    if timing:
        for name, ms in server_timing(timing).items():
            step.timing[kind][name] += ms
        step.timed[kind] += 1
    mix.answered(person, kind, status, answer)


async def claim_storm(base: str, tokens: list[str], task: int) -> dict:
    """Every token claims the task at once, on connections opened beforehand."""
    connector = aiohttp.TCPConnector(limit=len(tokens))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        async def warm():
            async with http.get(base + "/healthz") as r:
                await r.read()

        await asyncio.gather(*(warm() for _ in tokens), return_exceptions=True)  # the connections open first, as wrk's
        started = asyncio.get_running_loop().time()

        async def one(token):
            try:
                async with http.post(f"{base}/api/v1/tasks/{task}/claims", headers={"Authorization": f"Bearer {token}"}) as r:
                    await r.read()
                    return r.status, asyncio.get_running_loop().time() - started
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return 0, asyncio.get_running_loop().time() - started

        answers = await asyncio.gather(*(one(t) for t in tokens))
    counts = Counter(status for status, _s in answers)
    return {"201": counts.get(201, 0), "409": counts.get(409, 0), "other": sum(n for s, n in counts.items() if s not in (201, 409)),
            "slowest_ms": round(max(s for _st, s in answers) * 1000)}


async def run_step(http, base, mix, rate, seconds, storm=None) -> tuple[Step, dict | None]:
    loop = asyncio.get_running_loop()
    step, pending = Step(rate), set()
    total = int(rate * seconds)
    start = loop.time() + 0.05
    storm_task, storm_at = None, total // 2
    for k in range(total):
        intended = start + k / rate
        delay = intended - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if storm and k == storm_at:
            storm_task = asyncio.create_task(claim_storm(base, *storm))
        person, kind, method, path, body = mix.next_request()
        step.sent += 1
        if kind not in READS:
            step.writes += 1
        task = asyncio.create_task(send(http, base, mix, step, person, kind, method, path, body, intended))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    return step, (await storm_task if storm_task else None)


def report(step: Step, reference: float | None) -> dict:
    p50, p99 = percentile(step.latency, 0.50), percentile(step.latency, 0.99)
    share = f" ({step.rate / reference:.0%} of R)" if reference else ""
    print(f"busy hour at {step.rate:.0f} requests/s{share}: sent {step.sent}, ok {step.ok}, errors {step.errors}, "
          f"writes {step.writes / max(1, step.sent):.1%}, p50 {p50 or 0:.0f} ms, p99 {p99 or 0:.0f} ms", flush=True)
    kinds = {kind: (percentile(v, 0.5), percentile(v, 0.99), len(v)) for kind, v in sorted(step.by_kind.items())}
    print("  per kind (p50 / p99 ms, n): " + "; ".join(f"{k} {a:.0f}/{b:.0f} ({n})" for k, (a, b, n) in kinds.items()), flush=True)
    if step.problems:
        print("  errors: " + ", ".join(f"{k} x{n}" for k, n in step.problems.most_common(8)), flush=True)
    where = {}
    for kind, sums in sorted(step.timing.items()):
        n = step.timed[kind]
        where[kind] = {name: round(total / n, 2) for name, total in sums.items()}
    if where:
        print("  server time, mean ms per request (Server-Timing): " + "; ".join(
            f"{kind}: " + ", ".join(f"{name} {ms}" for name, ms in parts.items()) for kind, parts in where.items()), flush=True)
    return {"rate": step.rate, "sent": step.sent, "ok": step.ok, "errors": step.errors, "writes": step.writes, "p50_ms": p50, "p99_ms": p99,
            "server_timing": where, "kinds": {k: {"p50_ms": a, "p99_ms": b, "n": n} for k, (a, b, n) in kinds.items()}}


async def main_async(args):
    fixtures = json.loads(open(args.fixtures).read())
    mix = Mix(fixtures, args.secret_key)
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [s * args.reference for s in map(float, args.shares.split(","))]
    storm_step = None
    if args.storm_task:
        storm_step = min(range(len(rates)), key=lambda i: abs(rates[i] - 0.15 * (args.reference or rates[i])))
        tokens = [t for t in open(args.storm_tokens).read().split() if t][:200]
    steps, storm = [], None
    connector = aiohttp.TCPConnector(limit=args.connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
        await run_step(http, args.base, mix, min(rates[0], 50), 2)  # warm-up: connections, plans, first-use caches (not reported)
        for i, rate in enumerate(rates):
            step, storm_now = await run_step(http, args.base, mix, rate, args.seconds,
                                             (tokens, args.storm_task) if i == storm_step else None)
            steps.append(report(step, args.reference))
            storm = storm_now or storm
            last = steps[-1]
            if last["errors"] > 0.05 * last["sent"] or (last["p99_ms"] or 0) > 10 * P99_TARGET_MS:
                print(f"  saturated at {rate:.0f} requests/s (p99 over {10 * P99_TARGET_MS} ms or over 5 % errors): no higher rate is tried", flush=True)
                await asyncio.sleep(args.seconds)  # the queue drains before anything else is measured
                break
        if args.storm_task and storm is None:
            # The storm's step was not reached: it runs during the mix at the highest rate that held (or the lowest tried).
            good = [s["rate"] for s in steps if s["errors"] == 0 and (s["p99_ms"] or 0) < P99_TARGET_MS]
            step, storm = await run_step(http, args.base, mix, max(good, default=rates[0]), args.seconds, (tokens, args.storm_task))
            print("  (the claim storm's step)", flush=True)
            report(step, args.reference)
    passing = [s for s in steps if s["errors"] == 0 and s["p99_ms"] is not None and s["p99_ms"] < P99_TARGET_MS]
    crossed = next((s["rate"] for s in steps if s["p99_ms"] is None or s["p99_ms"] >= P99_TARGET_MS), None)
    summary = {"steps": steps, "best_rate": max((s["rate"] for s in passing), default=0), "crossed_at": crossed, "storm": storm}
    print("BUSY_JSON " + json.dumps(summary), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8100")
    parser.add_argument("--fixtures", required=True, help="the JSON file bench/busy_fixtures.py wrote")
    parser.add_argument("--secret-key", required=True, help="the server's SECRET_KEY: the check-in code staff show derives from it")
    parser.add_argument("--reference", type=float, default=0.0, help="R, requests/s of /healthz measured in the same run")
    parser.add_argument("--shares", default="0.05,0.10,0.15,0.20,0.25", help="rates as shares of R")
    parser.add_argument("--rates", default="", help="rates in requests/s (instead of --shares)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=256, help="most connections open at once (a request waits for one: counted)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--storm-task", type=int)
    parser.add_argument("--storm-tokens")
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()

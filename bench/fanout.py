"""The websocket fan-out figure of bench/run.py.

    python bench/fanout.py --url ws://127.0.0.1:8100/ws/communities/ID/tasks/ --clients 1000 \
        --claim http://127.0.0.1:8100/api/v1/tasks/{task}/claims --tasks 1,2,3 --tokens a,b,c

Opens the clients (the `websockets` library, as a phone or a board page would), waits until all
are connected, then for each round makes one change through the API (a volunteer claims a task
of that community) and times, for every client, the moment the board message about that task
arrives, counted from the start of the change's request. Prints one JSON line per round.
"""

import argparse
import asyncio
import json
import resource
import statistics
import time
import urllib.request

from websockets.asyncio.client import connect


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--origin", default="http://127.0.0.1:8100")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--claim", required=True, help="claim URL with {task}")
    parser.add_argument("--tasks", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.clients + 256)), hard))

    arrivals: dict[int, list[float]] = {}
    waiting: dict[int, asyncio.Event] = {}
    connected = 0
    all_connected = asyncio.Event()
    stop = asyncio.Event()
    gate = asyncio.Semaphore(50)  # handshakes in flight at once, as page loads would spread them

    async def client():
        nonlocal connected
        async with gate:
            ws = await connect(args.url, origin=args.origin, open_timeout=60, max_queue=None, ping_interval=None)
        connected += 1
        if connected == args.clients:
            all_connected.set()
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                task_id = json.loads(raw).get("task", {}).get("id")
                if task_id in arrivals:
                    arrivals[task_id].append(now)
                    if len(arrivals[task_id]) == args.clients:
                        waiting[task_id].set()
        finally:
            await ws.close()

    started = time.perf_counter()
    clients = [asyncio.create_task(client()) for _ in range(args.clients)]
    await asyncio.wait_for(all_connected.wait(), timeout=120)
    print(json.dumps({"connected": connected, "connect_s": round(time.perf_counter() - started, 2)}), flush=True)
    await asyncio.sleep(1.0)
    loop = asyncio.get_running_loop()
    for task_id, token in zip([int(t) for t in args.tasks.split(",")], args.tokens.split(","), strict=True):
        arrivals[task_id] = []
        waiting[task_id] = asyncio.Event()
        request = urllib.request.Request(
            args.claim.format(task=task_id), data=b"{}", method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        t0 = time.perf_counter()
        status = await loop.run_in_executor(None, lambda r=request: urllib.request.urlopen(r, timeout=30).status)
        answered = time.perf_counter() - t0
        try:
            await asyncio.wait_for(waiting[task_id].wait(), timeout=args.timeout)
        except TimeoutError:
            pass
        delays = [t - t0 for t in arrivals[task_id]]
        print(json.dumps({
            "task": task_id, "claim_status": status, "claim_answered_ms": round(answered * 1000, 1),
            "received": len(delays), "clients": args.clients,
            "p50_ms": round(statistics.median(delays) * 1000, 1) if delays else None,
            "p95_ms": round(percentile(delays, 95) * 1000, 1) if delays else None,
            "max_ms": round(max(delays) * 1000, 1) if delays else None,
        }), flush=True)
        await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*clients, return_exceptions=True)


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())

"""Fast 503 under load (issue #27; docs/faults.md): while the database is
known to be away, a request that needs it is refused on the event loop, before it reads its body,
takes one of the few HTTP threads or waits on the pool. One request at a time still goes through
(the probe), so the pool tries the database again and the first success ends the refusals.

The server's HTTP bridge (core/wsgibridge.py) is driven here with a WSGI application that holds
its thread until told, as a request waiting on a database that does not answer does.
"""

import asyncio
import json
import threading
import time

from core import wsgibridge


def scope(path: str, language: str = "zh-hans") -> dict:
    return {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [(b"accept-language", language.encode())], "server": ("testserver", 80)}


async def ask(bridge, path: str, language: str = "zh-hans"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    started = time.monotonic()
    await bridge(scope(path, language), receive, send)
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:]), time.monotonic() - started


def test_while_the_database_is_away_requests_are_refused_at_once_and_one_probe_goes_through(monkeypatch):
    release = threading.Event()
    entered = []

    def waiting_app(environ, start_response):  # a request stuck on a database that does not answer
        entered.append(environ["PATH_INFO"])
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    away = {"now": True}
    monkeypatch.setattr(wsgibridge, "_database_away", lambda: away["now"])
    bridge = wsgibridge.WsgiBridge(waiting_app, threads=2)

    async def scenario():
        probe = asyncio.ensure_future(ask(bridge, "/tasks/"))
        await asyncio.sleep(0.05)
        # 50 requests at once, pages and API: each answered 503 at once, none reaches a thread.
        answers = await asyncio.gather(*(ask(bridge, "/api/v1/tasks" if n % 2 else "/", "en" if n % 3 else "zh-hans") for n in range(50)))
        assert entered == ["/tasks/"]
        assert all(status == 503 for status, *_ in answers)
        slowest = max(seconds for *_, seconds in answers)
        assert slowest < 0.2, f"slowest 503 took {slowest:.2f} s"
        status, headers, body, _s = answers[1]  # /api/, in English
        assert headers[b"content-type"].startswith(b"application/json") and int(headers[b"retry-after"]) > 0
        assert json.loads(body) == {"detail": "The service is briefly unavailable. Please try again shortly.", "code": "service_unavailable"}
        status, headers, body, _s = answers[0]  # a page, in Chinese
        assert headers[b"content-type"].startswith(b"text/html") and "服务暂时不可用，请稍后再试。" in body.decode()
        # The load balancer's probes are not refused: /healthz answers as usual.
        health = asyncio.ensure_future(ask(bridge, "/healthz"))
        await asyncio.sleep(0.05)
        assert entered == ["/tasks/", "/healthz"]
        # The database is back: the probe ends, and every request goes through again.
        away["now"] = False
        release.set()
        assert (await probe)[0] == 200 and (await health)[0] == 200
        assert (await ask(bridge, "/"))[0] == 200

    asyncio.run(scenario())

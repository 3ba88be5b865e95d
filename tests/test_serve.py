"""`make serve` as it ships: the embedded default (SQLite, no Redis) with two worker processes.

A resident keeps ``/ws/notifications/`` open while staff triage her needs over HTTP, on a new
connection each time, so the requests land on both workers (uvicorn's workers share the listening
socket; twelve changes all landing on the worker that holds the socket would happen once in two
thousand runs). Every triage must reach her socket: before issue #18 a push made by the other
worker was lost.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANGES = 12

SETUP = """
import json
from accounts.models import Membership
from accounts.services import token_create
from tests.factories import CommunityFactory, MembershipFactory
community = CommunityFactory()
staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
resident = MembershipFactory(community=community, role=Membership.Role.RESIDENT).user
print(json.dumps({"community": community.pk, "staff": token_create(user=staff), "resident": token_create(user=resident)}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(port: int, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Connection": "close"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


@pytest.fixture
def embedded_serve(tmp_path):
    """`make serve` with WORKERS=2 on a SQLite file of its own and no Redis; yields (port, data, log)."""
    port = _free_port()
    env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "HUEY_REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}", SECRET_KEY="serve-test-secret-key-that-is-long-enough-0123456789abcdef",
        DEBUG="0", SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1,localhost", HOST="127.0.0.1", PORT=str(port), WORKERS="2",
        CHANNEL_SOCKET_DIR=str(tmp_path / "channels"), HUEY_SQLITE_PATH=str(tmp_path / "serve.huey"),
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    data = json.loads(made.stdout.strip().splitlines()[-1])
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(["make", "-s", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(720):  # up to 3 minutes: a loaded machine migrates and starts slowly
            if server.poll() is not None:
                raise AssertionError(f"make serve stopped:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError(f"make serve did not answer:\n{log.read_text()[-3000:]}")
        yield port, data, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_make_serve_without_redis_delivers_every_push_whichever_worker_makes_it(embedded_serve):
    from websockets.sync.client import connect

    port, data, log = embedded_serve
    assert "live pushes are shared by the 2 worker process(es)" in log.read_text(), "make serve must say how pushes reach every worker"
    with connect(f"ws://127.0.0.1:{port}/ws/notifications/?token={data['resident']}", open_timeout=10) as ws:
        triaged = []
        for i in range(CHANGES):
            need = _call(port, "POST", "/api/v1/needs", data["resident"], {"community_id": data["community"], "title": f"楼道灯坏了 {i}"})
            _call(port, "POST", f"/api/v1/needs/{need['id']}/triage", data["staff"], {"track": "minor", "reply": "马上派人"})
            triaged.append(need["id"])
        received = []
        deadline = time.monotonic() + 15
        while len(received) < CHANGES and time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message["type"] == "notification" and message["kind"] == "need_triaged":
                received.append(message["url"])
    assert sorted(received) == sorted(f"/needs/{pk}/" for pk in triaged), f"{len(received)} of {CHANGES} pushes arrived"


def test_the_wsgi_bridge_hands_django_the_request_and_streams_a_streaming_answer():
    """core/wsgibridge.py on its thread pool (as under uvicorn): the path, query, headers and body
    reach the WSGI application; a streaming answer goes out chunk by chunk and is closed (Django
    returns the database connection then); a plain one goes out in one piece."""
    import asyncio

    from core.wsgibridge import WsgiBridge

    seen = {}

    class Stream:
        streaming = True

        def __iter__(self):
            yield b"first,"
            yield b"second"

        def close(self):
            seen["closed"] = True

    def app(environ, start_response):
        seen.update(
            path=environ["PATH_INFO"], query=environ["QUERY_STRING"], body=environ["wsgi.input"].read(),
            cookie=environ.get("HTTP_COOKIE"), length=environ.get("CONTENT_LENGTH"), client=environ.get("REMOTE_ADDR"),
        )
        start_response("200 OK", [("Content-Type", "text/csv")])
        return Stream() if environ["PATH_INFO"].endswith("stream/") else [b"whole"]

    async def call(path):
        scope = {
            "type": "http", "method": "POST", "path": path, "query_string": "q=理发".encode(), "http_version": "1.1",
            "headers": [(b"cookie", b"a=1"), (b"cookie", b"b=2"), (b"content-length", b"8")], "client": ("203.0.113.9", 5000),
        }
        parts = iter([{"type": "http.request", "body": b"name=", "more_body": True}, {"type": "http.request", "body": "李四".encode()[:3]}])
        sent = []

        async def receive():
            return next(parts)

        async def send(message):
            sent.append(message)

        await WsgiBridge(app, threads=2)(scope, receive, send)
        return sent

    sent = asyncio.run(call("/export/stream/"))
    assert seen["path"] == "/export/stream/" and seen["query"] == "q=理发".encode().decode("latin-1")
    assert seen["body"] == b"name=" + "李四".encode()[:3] and seen["cookie"] == "a=1; b=2" and seen["client"] == "203.0.113.9"
    assert [m.get("body") for m in sent[1:]] == [b"first,", b"second", b""] and seen["closed"]
    assert sent[0]["status"] == 200 and (b"content-type", b"text/csv") in sent[0]["headers"]
    whole = asyncio.run(call("/export/"))
    assert len(whole) == 2 and whole[1]["body"] == b"whole" and not whole[1].get("more_body")


# --- #36.1: the request head is bounded by the server -------------------------------------------


def _server_rss_mb(port: int) -> float:
    """The resident memory of every process of the `make serve` that listens on this port (the
    session of the uvicorn command: its master and workers), in MB."""
    procs = [p for p in Path("/proc").iterdir() if p.name.isdigit()]

    def read(p, name):
        try:
            return (p / name).read_bytes()
        except OSError:
            return b""

    master = next(p for p in procs if f"--port\0{port}\0".encode() in read(p, "cmdline") and b"uvicorn" in read(p, "cmdline"))
    session = read(master, "stat").rsplit(b")", 1)[1].split()[3]
    total_kb = 0
    for p in procs:
        stat = read(p, "stat")
        if stat and stat.rsplit(b")", 1)[1].split()[3] == session:
            for line in read(p, "status").splitlines():
                if line.startswith(b"VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def _send_head(port: int, head: bytes, *, chunk: int = 1 << 16) -> bytes:
    """Send a request head in pieces and return what the server answered (b"" if it just closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        try:
            for start in range(0, len(head), chunk):
                s.sendall(head[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before we finished: what it answered is still readable
        answer = b""
        try:
            while part := s.recv(65536):
                answer += part
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def test_make_serve_answers_431_to_a_huge_or_numerous_header_and_does_not_balloon(embedded_serve):
    port, _data, _log = embedded_serve
    for _ in range(3):  # warm both workers first, so what is measured is the attack
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read()
    before = _server_rss_mb(port)
    huge = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (32 << 20) + b"\r\n\r\n"
    for _ in range(4):
        answer = _send_head(port, huge)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    numerous = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(500)) + b"\r\n"
    assert _send_head(port, numerous).startswith(b"HTTP/1.1 431")
    after = _server_rss_mb(port)
    assert after - before < 40, f"the server grew from {before:.0f} MB to {after:.0f} MB"
    # An ordinary request with ordinary headers is still answered.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        assert response.status == 200


# --- #27: a worker told to stop finishes what it was doing ------------------------------------------


def test_make_serve_told_to_stop_finishes_a_request_it_was_reading_and_its_need_is_kept(embedded_serve):
    """A resident on a slow phone line is sending a need when the operator restarts the site
    (SIGTERM, as systemd and a deploy do). The server stops taking new connections but reads her
    request to the end, saves it and answers 201: her words are not lost to a restart."""
    port, data, _log = embedded_serve
    body = json.dumps({"community_id": data["community"], "title": "重启时提交的需求：楼道灯坏了"}, ensure_ascii=False).encode()
    head = (
        f"POST /api/v1/needs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {data['resident']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    procs = [p for p in Path("/proc").iterdir() if p.name.isdigit()]

    def cmdline(p):
        try:
            return (p / "cmdline").read_bytes()
        except OSError:
            return b""

    master = next(p for p in procs if f"--port\0{port}\0".encode() in cmdline(p) and b"uvicorn" in cmdline(p))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head + body[:10])  # the head and the start of the body: the request is in progress
        time.sleep(1.0)
        os.kill(int(master.name), signal.SIGTERM)
        time.sleep(1.5)  # the workers have begun to shut down
        s.sendall(body[10:])
        answer = b""
        while part := s.recv(65536):
            answer += part
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 201"), answer[:300]
    assert "重启时提交的需求" in rest.decode()
    # ...and then the server is really gone: nothing answers on its port any more.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the server still takes connections 20 s after SIGTERM")

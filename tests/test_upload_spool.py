"""Uploads past ``FILE_UPLOAD_MAX_MEMORY_SIZE`` are spooled to disk by the server's HTTP bridge, not
held in memory (issue #27: 60 concurrent 10 MB uploads once took two workers from 810 MB to 1 GB)."""

import asyncio
import os

from core.wsgibridge import WsgiBridge, read_body


def feed(chunks):
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return messages.pop(0)

    return receive


def test_a_large_body_goes_to_a_temporary_file_and_a_small_one_stays_in_memory(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    big = asyncio.run(read_body(feed([os.urandom(64 * 1024) for _ in range(32)])))  # 2 MB, as a phone sends it
    assert big._rolled and big.length == 2 * 1024 * 1024 and len(big.read()) == 2 * 1024 * 1024
    big.close()
    small = asyncio.run(read_body(feed([b"username=a&password=b"])))
    assert not small._rolled and small.read() == b"username=a&password=b"


def test_django_reads_the_spooled_body_whole():
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    body = b"".join(bytes([n % 251]) * 4096 for n in range(300))  # 1.2 MB
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/upload", "query_string": b"", "headers": [(b"content-length", str(len(body)).encode())]}
    asyncio.run(WsgiBridge(app, threads=1)(scope, feed([body[i:i + 65536] for i in range(0, len(body), 65536)]), send))
    assert sent[0]["status"] == 200 and seen["body"] == body

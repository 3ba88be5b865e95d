"""A request body over `MAX_REQUEST_BODY_BYTES` is refused with 413 before it is read or stored,
through the ASGI application and inside Django (#19.6, docs/security.md)."""

import json

import pytest


# --- 6. A body over the limit is refused before it is stored ------------------------------------------
def _asgi_post(path: str, chunks: list[bytes], *, content_length: int | None, language: str = "en"):
    """POST through the real ASGI application (config/asgi.py), as uvicorn would; returns the
    status, the body and how many body bytes the application asked for."""
    from asgiref.sync import async_to_sync

    from config.asgi import application

    headers = [(b"host", b"localhost"), (b"content-type", b"multipart/form-data; boundary=x"), (b"accept-language", language.encode())]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("203.0.113.9", 50000), "server": ("localhost", 80),
    }
    pending = list(chunks)
    read = 0
    sent = []

    async def receive():
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    async_to_sync(application)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, read


MB = 1024 * 1024


@pytest.mark.django_db
def test_an_anonymous_30_mb_login_post_is_refused_without_reading_it():
    status, body, read = _asgi_post("/accounts/login/", [b"x" * MB] * 30, content_length=30 * MB, language="zh-hans")
    assert status == 413
    assert read == 0  # not one byte was read, so none was spooled
    assert "请求太大" in body.decode()


@pytest.mark.django_db
def test_a_streamed_body_is_counted_and_refused_at_the_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = 2 * MB
    status, body, read = _asgi_post("/api/v1/auth/token", [b"x" * MB] * 30, content_length=None)
    assert status == 413
    assert json.loads(body) == {"detail": json.loads(body)["detail"], "code": "too_large"}
    assert read <= 3 * MB  # reading stopped just past the limit, not at 30 MB


@pytest.mark.django_db
def test_the_limit_answers_413_inside_django_too(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = client.post("/api/v1/auth/register", {"username": "x", "password": "y" * 5000}, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    page = client.post("/accounts/register/", {"username": "x", "password": "y" * 5000})
    assert page.status_code == 413



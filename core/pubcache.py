"""A shared cache of the answers anonymous visitors get from the busiest public lists.

The task board page and ``GET /api/v1/tasks`` are what a whole district reads at once, and what
an anonymous visitor sees there depends only on the address, the query string, the language and
the tasks themselves. So, when Redis is configured (``REDIS_URL``), the whole answer (status,
headers and body, as Django and its middleware made it) is kept in Redis, and the next anonymous
visitor gets it from an ASGI wrapper in front of Django (``config/asgi.py``): no thread, no
middleware, no template, no database.

Freshness does not rest on a timeout. Each namespace ("tasks") has a *generation*, a random token
in Redis; every stored answer carries the generation it was built under, and one whose generation
is no longer current is never served. Any change to a task (saved, deleted, its slots taken by a
claim, its status moved) replaces the generation after the transaction commits, so the next
request builds a fresh answer. ``PUBLIC_CACHE_SECONDS`` bounds how long an answer is kept (the
board leaves out tasks that have started, which no write announces).

Only requests that carry neither a session cookie nor an ``Authorization`` header, and whose query
string holds only the lists' own parameters (``PUBLIC_CACHE_PARAMS``), are served from or stored in
the cache, so nothing personal (a staff member's drafts, a name in the navigation)
is stored or shown to somebody else. Only complete 200 answers that set no cookie are stored. If
Redis is unreachable, requests are answered as if there were no cache.

Signed-in callers who see exactly what an anonymous visitor sees (issue #18): a bearer token whose
holder is active, no district admin and staff of no community gets the same task list as an
anonymous visitor (only staff see drafts). Django marks such a token in Redis
(``mark_plain_viewer``, ``cm:pubcache:viewer:<sha256 of the token>``, for at most
``VIEWER_MARK_SECONDS``) when it answers it, and the wrapper then serves that token the shared
answer too. The mark is removed as soon as anything could change that (accounts/signals.py: the
token revoked, the person made staff, deactivated or given a new password), and never outlives the
token. The token's "last used" time is then recorded when the mark is renewed.
"""

import asyncio
import hashlib
import json
import logging
import secrets

import redis
import redis.asyncio
from django.conf import settings
from django.db import transaction
from django.http.cookie import parse_cookie
from django.utils.translation import get_language_from_request

from core.largetext import LARGE_TEXT_COOKIE
from core.redisguard import breaker

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an answer larger than this is not worth a cache entry


def enabled() -> bool:
    return settings.PUBLIC_CACHE_SECONDS > 0 and bool(settings.REDIS_URL)


def _generation_key(namespace: str) -> str:
    return f"cm:pubcache:{namespace}:generation"


generation_key = _generation_key  # for core/pagecache.py, whose board pages depend on it


_sync_clients: dict[str, redis.Redis] = {}
# After Redis fails, it is left aside for a few seconds (core/redisguard.py), so an outage costs each
# request a look at the clock, not a connection timeout. Generations that could not be renewed
# meanwhile are renewed as soon as it answers again, with the page cache's epoch (every kept
# signed-in page was built before writes it did not see).
_renew_on_recovery: set[str] = set()


def _renew_after_outage() -> None:
    from core import pagecache  # noqa: PLC0415 - it imports this module

    client = _sync_client()
    namespaces = set(_renew_on_recovery) | set(settings.PUBLIC_CACHE_PATHS.values())
    pipe = client.pipeline(transaction=False)
    for namespace in namespaces:
        pipe.set(_generation_key(namespace), secrets.token_hex(8))
    pipe.hset(pagecache.GENERATIONS, pagecache.EPOCH, secrets.token_hex(6))
    pipe.execute()
    _renew_on_recovery.difference_update(namespaces)


breaker.on_recovery(_renew_after_outage)


VIEWER_MARK_SECONDS = 120


def _viewer_key(token_hash: str) -> str:
    return f"cm:pubcache:viewer:{token_hash}"


def _sync_client() -> redis.Redis:
    client = _sync_clients.get(settings.REDIS_URL)
    if client is None:
        client = _sync_clients[settings.REDIS_URL] = redis.Redis.from_url(settings.REDIS_URL, **_timeouts())
    return client


def _timeouts() -> dict:
    """The Redis timeouts of the Django cache (config/settings.py): short, one set for every client."""
    options = settings.CACHES.get("default", {}).get("OPTIONS", {})
    return {"socket_connect_timeout": options.get("socket_connect_timeout", 0.5), "socket_timeout": options.get("socket_timeout", 1)}


class _SetAside(redis.ConnectionError):
    """Redis is set aside by the breaker after a failure (core/redisguard.py): not even tried."""


class _GuardedPipeline:
    def __init__(self, pipeline):
        self._pipeline = pipeline

    def __getattr__(self, name):
        attr = getattr(self._pipeline, name)
        if name != "execute":
            return attr  # commands are only buffered: nothing reaches Redis before execute()
        return _guarded(attr, "page cache: execute a pipeline")


def _guarded(method, what: str):
    def call(*args, **kwargs):
        if not breaker.usable():
            raise _SetAside("Redis is set aside for a few seconds after a failure")
        try:
            result = method(*args, **kwargs)
        except Exception as exc:
            breaker.failed(what, exc)
            raise
        breaker.succeeded()
        return result

    return call


class _GuardedClient:
    """This process's client, behind the breaker: while Redis is set aside a call fails at once
    instead of waiting out a timeout; a failure sets it aside for every caller of the process."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name == "pipeline":
            return lambda *args, **kwargs: _GuardedPipeline(attr(*args, **kwargs))
        return _guarded(attr, f"page cache: {name}") if callable(attr) else attr


def sync_client() -> redis.Redis:
    """This process's Redis client for the shared caches (core/pagecache.py uses it too), behind
    the breaker of core/redisguard.py."""
    return _GuardedClient(_sync_client())


def mark_plain_viewer(token_hash: str, seconds: int) -> None:
    """The holder of this token sees what an anonymous visitor sees: serve it the shared answers."""
    if not enabled() or seconds < 1 or not breaker.usable():
        return
    try:
        _sync_client().set(_viewer_key(token_hash), b"1", ex=min(seconds, VIEWER_MARK_SECONDS))
    except Exception as exc:
        breaker.failed("public cache: mark a viewer", exc)
    else:
        breaker.succeeded()


def forget_viewers(token_hashes: list[str]) -> None:
    """Unmark these tokens now and again after the transaction commits (so a request that read the
    old rows meanwhile cannot leave a mark behind). If Redis cannot be told, the marks end with
    ``VIEWER_MARK_SECONDS``."""
    if not enabled() or not token_hashes:
        return
    keys = [_viewer_key(h) for h in token_hashes]

    def forget():
        try:
            _sync_client().delete(*keys)
        except Exception as exc:  # an on-commit hook: it must never fail the change (issue #27)
            breaker.failed(f"public cache: unmark {len(keys)} viewer(s)", exc)

    forget()
    transaction.on_commit(forget)


def shared_get(namespace: str, key: str) -> tuple[bytes | None, bytes | None]:
    """(the namespace's current generation, what was kept under ``key`` for it), in one round trip,
    for a part of a page that is the same for everyone (the board's list: marketplace/views/tasks.py).
    (None, None) when the cache is off or Redis does not answer."""
    if not enabled() or not breaker.usable():
        return None, None
    try:
        generation, stored = _sync_client().mget(_generation_key(namespace), f"cm:pubcache:{namespace}:part:{key}")
    except Exception as exc:
        breaker.failed("public cache: read a part of a page", exc)
        return None, None
    breaker.succeeded()
    if generation is None or stored is None:
        return generation, None
    kept_generation, _, value = stored.partition(b"\n")
    return generation, (value if kept_generation == generation else None)


def shared_put(namespace: str, key: str, generation: bytes, value: bytes) -> None:
    """Keep ``value`` for ``generation``: a newer generation makes it stale at once."""
    if not enabled() or generation is None or len(value) > MAX_BODY or not breaker.usable():
        return
    try:
        _sync_client().set(f"cm:pubcache:{namespace}:part:{key}", generation + b"\n" + value, ex=settings.PUBLIC_CACHE_SECONDS)
    except Exception as exc:
        breaker.failed("public cache: keep a part of a page", exc)
    else:
        breaker.succeeded()


def bump(namespace: str) -> None:
    """After the current transaction commits, make every stored answer of ``namespace`` stale.

    If Redis cannot be told, the answers it holds stay until ``PUBLIC_CACHE_SECONDS`` ends them:
    the bounded staleness of an outage."""
    if not enabled():
        return

    def replace():
        if not breaker.usable():
            _renew_on_recovery.add(namespace)
            return
        try:
            _sync_client().set(_generation_key(namespace), secrets.token_hex(8))
        except Exception as exc:  # an on-commit hook: an outage must not fail the change (issue #27)
            _renew_on_recovery.add(namespace)
            breaker.failed(f"public cache: renew the {namespace} generation", exc)
        else:
            breaker.succeeded()

    transaction.on_commit(replace)


class _Visitor:
    """What Django's language negotiation reads from a request, taken from the ASGI scope."""

    def __init__(self, cookies: dict, accept_language: str):
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept_language}


# How long a request for an answer another request of this process is already building waits for
# it (one build per address and generation, not one per waiting reader: issue #35's search tail)
# before it asks Django itself.
FLIGHT_WAIT_SECONDS = 2.0


class PublicCache:
    """ASGI wrapper around Django's HTTP application; see the module's text.

    One build at a time: when the generation changes (a claim anywhere renews "tasks"), every
    reader of an address misses at once. The first one of the process asks Django; the others
    wait for its answer (built under the same generation they read, so no older than what the
    cache would have served them) instead of each building it again and queueing behind each other."""

    def __init__(self, app):
        self.app = app
        self._clients: dict[tuple, redis.asyncio.Redis] = {}
        self._flights: dict[tuple, asyncio.Future] = {}

    def _client(self) -> redis.asyncio.Redis:
        key = (asyncio.get_running_loop(), settings.REDIS_URL)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = redis.asyncio.Redis.from_url(settings.REDIS_URL, **_timeouts())
        return client

    async def __call__(self, scope, receive, send):
        namespace = settings.PUBLIC_CACHE_PATHS.get(scope.get("path")) if scope["type"] == "http" else None
        if namespace is None or scope["method"] not in ("GET", "HEAD") or not enabled() or breaker.is_open:
            # Redis set aside: never probed from the event loop (a probe may wait a timeout); the
            # next request of a thread tries it again.
            return await self.app(scope, receive, send)
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            name = name.decode("latin-1").lower()
            headers[name] = f"{headers[name]}; {value.decode('latin-1')}" if name == "cookie" and name in headers else value.decode("latin-1")
        cookies = parse_cookie(headers.get("cookie", ""))
        if settings.SESSION_COOKIE_NAME in cookies or LARGE_TEXT_COOKIE in cookies:
            return await self.app(scope, receive, send)  # personal, or drawn in 长辈模式: not shared
        viewer_key = None
        if "authorization" in headers:
            scheme, _, token = headers["authorization"].partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return await self.app(scope, receive, send)
            viewer_key = _viewer_key(hashlib.sha256(token.strip().encode()).hexdigest())
        language = get_language_from_request(_Visitor(cookies, headers.get("accept-language", "")))
        pairs = sorted(pair for pair in scope.get("query_string", b"").decode("latin-1").split("&") if pair)
        if len(pairs) > len(settings.PUBLIC_CACHE_PARAMS) or any(p.partition("=")[0] not in settings.PUBLIC_CACHE_PARAMS for p in pairs):
            return await self.app(scope, receive, send)  # not an address the pages or apps make
        query = "&".join(pairs)
        key = f"cm:pubcache:{namespace}:{language}:{scope['method']}:{scope['path']}?{query}"
        generation_key = _generation_key(namespace)
        plain = b"1"
        try:
            client = self._client()
            if viewer_key is None:
                generation, stored = await client.mget(generation_key, key)
            else:
                generation, stored, plain = await client.mget(generation_key, key, viewer_key)
            if plain is not None and generation is None:
                fresh = secrets.token_hex(8).encode()
                generation = fresh if await client.set(generation_key, fresh, nx=True) else await client.get(generation_key)
        except Exception as exc:
            breaker.failed("public cache: read an answer", exc)
            return await self.app(scope, receive, send)
        breaker.succeeded()
        if plain is None:  # not known to see only what everybody sees: Django decides
            return await self.app(scope, receive, send)
        if stored is not None:
            head, _, body = stored.partition(b"\n")
            meta = json.loads(head)
            if meta["g"].encode() == generation:
                await self._send_kept(send, meta["h"], body)
                return
        flight = (asyncio.get_running_loop(), key, generation)
        building = self._flights.get(flight)
        if building is not None:
            try:
                answer = await asyncio.wait_for(asyncio.shield(building), FLIGHT_WAIT_SECONDS)
            except Exception:  # noqa: BLE001 - too slow or failed: this reader asks Django itself
                answer = None
            if answer is not None:
                await self._send_kept(send, *answer)
                return
            return await self.app(scope, receive, send)
        building = self._flights[flight] = asyncio.get_running_loop().create_future()
        try:
            await self._answer_and_keep(scope, receive, send, key, generation, building)
        finally:
            del self._flights[flight]
            if not building.done():
                building.set_result(None)  # not shareable (or failed): the waiters ask Django

    @staticmethod
    async def _send_kept(send, response_headers: list, body: bytes) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response_headers]})
        await send({"type": "http.response.body", "body": body})

    async def _answer_and_keep(self, scope, receive, send, key: str, generation: bytes, building: asyncio.Future):
        """Let Django answer, and keep the answer if it may be shared (and hand it to the readers
        waiting for it). It is kept before its last part goes out, so the next request finds it
        even if this connection ends at once."""
        start, chunks, size = None, [], 0

        async def keep(message):
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False):
                    kept = await self._keep(key, generation, start, chunks, size)
                    if kept is not None and not building.done():
                        building.set_result(kept)
            await send(message)

        await self.app(scope, receive, keep)

    async def _keep(self, key: str, generation: bytes, start: dict, chunks: list[bytes], size: int) -> tuple[list, bytes] | None:
        """Store a shareable answer; returns (headers, body) when it may be shared, else None."""
        if start["status"] != 200 or size > MAX_BODY:
            return None
        response_headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start.get("headers", [])]
        if any(name.lower() == "set-cookie" for name, _ in response_headers):
            return None
        head = json.dumps({"g": generation.decode(), "s": 200, "h": response_headers}, ensure_ascii=True).encode()
        body = b"".join(chunks)
        try:
            await self._client().set(key, head + b"\n" + body, ex=settings.PUBLIC_CACHE_SECONDS)
        except Exception as exc:
            breaker.failed("public cache: keep an answer", exc)
        return response_headers, body

"""Signed-in pages kept for the browser that asked, and never shown after what they show changed.

The home page, my claims, my points and the task board of a signed-in person are all personal, so
the public cache (``core/pubcache.py``) cannot serve them. With Redis configured, a view decorated
with ``@personal_page`` keeps its whole answer in Redis under a key made of the person, the
cookies a page depends on (session, CSRF secret, language, 长辈模式; no other), the language, the
address and the query parameters the page reads (its ``params``: a view sees no other, so
``?junk=1`` makes no second copy), and serves it again to that browser alone.

Freshness is by construction, not by a guess of which change touches which page:

- While the page is built, every table its SQL reads is noted (``FROM``/``JOIN``), and the answer is
  kept with each table's *generation* as it was before the first read.
- Every ``INSERT``, ``UPDATE`` and ``DELETE`` that Django sends, from any process (an ``update()``
  or ``bulk_create`` that sends no signal, the admin, a management command, a job) renews its
  table's generation at once and again when its transaction commits (``_watch``), unless the
  database says it changed no row.
- A kept answer is served only while every one of its tables still has the generation it was built
  under (and the public task generation, for the board, whose list may come from that cache).

So a page can only be served from the cache while none of the rows it could have read has been
written; a write anywhere in one of its tables makes it be built again. A page is served only in
the minute it was built in: that bounds what time alone changes (a check-in that opens at 09:30).
tests/test_pagecache_fresh.py holds this under concurrent writers. A request with a message to show
("积分已转赠") is never served from nor kept in the cache, nor is an answer that sets a cookie.
Writes made outside Django (psql by hand) are not seen: ``PAGE_CACHE_SECONDS`` bounds them.
If Redis does not answer, pages are built as if there were no cache.
"""

import functools
import hashlib
import json
import logging
import re
import secrets
import threading
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.backends.signals import connection_created
from django.http import HttpResponse, QueryDict
from django.utils import timezone, translation

from core import pubcache
from core.largetext import LARGE_TEXT_COOKIE

logger = logging.getLogger(__name__)

GENERATIONS = "cm:pagecache:tables"  # a hash: table -> generation; "~epoch" is renewed if it is lost
EPOCH = "~epoch"
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
NO_ROWS_KNOWN = re.compile(r"^\s*(?:UPDATE|DELETE\s+FROM)\s", re.IGNORECASE)
READ = re.compile(r'\b(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
MAX_BODY = 512 * 1024
PAUSE_AFTER_FAILURE = 5.0

_local = threading.local()
_down_until = 0.0


def enabled() -> bool:
    return bool(settings.REDIS_URL) and settings.PAGE_CACHE_SECONDS > 0


def _failed(what: str) -> None:
    global _down_until
    _down_until = time.monotonic() + PAUSE_AFTER_FAILURE
    logger.warning("page cache: could not %s", what, exc_info=True)


def _usable() -> bool:
    return enabled() and time.monotonic() >= _down_until


# --- Seeing writes ------------------------------------------------------------------------------
def _renew(tables) -> None:
    if not tables or not _usable():
        return
    try:
        pubcache.sync_client().hset(GENERATIONS, mapping={table: secrets.token_hex(6) for table in tables})
    except Exception:
        _failed("renew table generations")


class _Pending:
    """The tables one transaction of one connection wrote; renewed again when it commits."""

    def __init__(self):
        self.tables: set[str] = set()
        # One bound method, kept: ``self.flush`` makes a new object at each access, so it is never
        # ``is`` the one registered (that bug renewed only the last table of a transaction).
        self.hook = self.flush

    def flush(self):
        tables, self.tables = self.tables, set()
        _renew(tables)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = WRITE.match(sql) if isinstance(sql, str) else None
    if written is not None:
        if not _changed_nothing(sql, context):
            _written(context["connection"], written.group(1))
    elif getattr(_local, "reading", None) is not None and isinstance(sql, str):
        _local.reading.update(READ.findall(sql))
    return result


def _changed_nothing(sql: str, context) -> bool:
    """An UPDATE or DELETE the database says changed no row (a DELETE of a waiting list nobody is
    on, an UPDATE whose WHERE found nothing) changed nothing a page shows. Only those: an INSERT
    (and any statement with RETURNING) has its row count only once its rows are read, after this
    wrapper (SQLite reports 0 until then)."""
    if not NO_ROWS_KNOWN.match(sql) or " RETURNING " in sql.upper():
        return False
    return getattr(context.get("cursor"), "rowcount", -1) == 0


def _written(connection, table: str) -> None:
    if not enabled():
        return
    if not connection.in_atomic_block:  # autocommit: the row is already committed
        _renew([table])
        return
    pending = connection.__dict__.get("_cm_page_pending")
    if pending is None:
        pending = connection.__dict__["_cm_page_pending"] = _Pending()
    registered = any(func is pending.hook for _sids, func, _robust in connection.run_on_commit)
    if not registered:  # a new transaction (or the savepoint that held the last one rolled back)
        pending.tables = set()
        connection.on_commit(pending.hook)
    pending.tables.add(table)
    # At once too, at every write, even to a table this transaction wrote already: the writer's own
    # transaction (and a test's) must not read back a page it built between its two writes.
    _renew([table])


def _install(sender, connection, **kwargs):
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


connection_created.connect(_install, dispatch_uid="core.pagecache")


# --- Keeping pages ------------------------------------------------------------------------------
def _keyed_cookies() -> tuple[str, ...]:
    """The cookies a kept page depends on; any other cookie a browser sends is not part of the key."""
    return (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, LARGE_TEXT_COOKIE)


def _only(request, params: frozenset[str]) -> None:
    """Let the view see only the query parameters it reads: a made-up one (``?junk=1``) changes
    nothing on the page, so it must not make another copy of it either (issue #36)."""
    if not set(request.GET) - params:
        return
    kept = QueryDict(mutable=True)
    for name in sorted(params & set(request.GET)):
        kept.setlist(name, request.GET.getlist(name))
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()  # get_full_path() (the language link) too


def _key(request) -> str:
    parts = (
        request.user.pk, [(name, request.COOKIES.get(name)) for name in _keyed_cookies()],
        translation.get_language(), request.get_host(), request.path, sorted(request.GET.lists()),
    )
    return "cm:pagecache:page:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _minute() -> int:
    # What time alone changes (a check-in that opens at 08:30, a task that has ended) changes on a
    # whole minute: a page is served only in the minute it was built in.
    # tests/test_pagecache.py::test_a_check_in_that_opens_shows_on_the_minute_with_no_write
    return int(timezone.now().timestamp() // 60)


def _has_messages(request) -> bool:
    return len(messages.get_messages(request)) > 0  # [] without the messages middleware


def _current(client, meta: dict) -> bool:
    """Is it still the minute the page was built in, and are the generations it was built under
    still the current ones?"""
    if meta.get("minute") != _minute():
        return False
    pipe = client.pipeline(transaction=False)
    pipe.hmget(GENERATIONS, [EPOCH, *meta["tables"]])
    for namespace in meta.get("namespaces", []):
        pipe.get(pubcache.generation_key(namespace))
    gens, *namespace_gens = pipe.execute()
    gens = [g.decode() if g is not None else None for g in gens]
    namespace_gens = [g.decode() if g is not None else None for g in namespace_gens]
    return gens == [meta["epoch"], *meta["gens"]] and namespace_gens == meta.get("namespace_gens", [])


def _generations_now(client, namespaces) -> tuple[dict, list]:
    pipe = client.pipeline(transaction=False)
    pipe.hsetnx(GENERATIONS, EPOCH, secrets.token_hex(6))
    pipe.hgetall(GENERATIONS)
    for namespace in namespaces:
        pipe.get(pubcache.generation_key(namespace))
    _created, gens, *namespace_gens = pipe.execute()
    return (
        {k.decode(): v.decode() for k, v in gens.items()},
        [g.decode() if g is not None else None for g in namespace_gens],
    )


def personal_page(view=None, *, namespaces: tuple[str, ...] = (), params: tuple[str, ...] = ()):
    """Keep this GET view's answer for the signed-in browser that asked (see the module's text).
    ``namespaces``: public-cache generations the page also depends on (the board: "tasks").
    ``params``: the query parameters the page reads; the view never sees any other (cache or not)."""
    allowed = frozenset(params)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "GET":
                _only(request, allowed)
            if request.method != "GET" or not request.user.is_authenticated or not _usable() or _has_messages(request):
                return view(request, *args, **kwargs)
            client = pubcache.sync_client()
            key = _key(request)
            try:
                stored = client.get(key)
                if stored is not None:
                    meta_line, _, body = stored.partition(b"\n")
                    meta = json.loads(meta_line)
                    if _current(client, meta):
                        response = HttpResponse(body, status=200)
                        for header, value in meta["headers"]:
                            response[header] = value
                        return response
                minute = _minute()  # before anything is read, as the generations are
                before, namespace_gens = _generations_now(client, namespaces)
            except Exception:
                _failed("read a page")
                return view(request, *args, **kwargs)
            _local.reading = set()
            try:
                response = view(request, *args, **kwargs)
            finally:
                # The person's own row was read before the view (by the session's middleware), and
                # the page shows it (their name in the navigation): it counts as read.
                tables, _local.reading = sorted(_local.reading | {get_user_model()._meta.db_table}), None
            if _keepable(request, response):
                meta = {
                    "minute": minute, "epoch": before.get(EPOCH), "tables": tables, "gens": [before.get(t) for t in tables],
                    "namespaces": list(namespaces), "namespace_gens": namespace_gens,
                    "headers": [(h, v) for h, v in response.items() if h.lower() != "content-length"],
                }
                try:
                    client.set(key, json.dumps(meta).encode() + b"\n" + response.content, ex=settings.PAGE_CACHE_SECONDS)
                except Exception:
                    _failed("keep a page")
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def _keepable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies or not getattr(response, "is_rendered", True):
        return False
    # A page whose forms carry a CSRF secret the browser does not hold yet (a new cookie) is not kept;
    # Django asks to re-send the same cookie whenever a page uses it, which changes nothing.
    new_secret = request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and request.META.get("CSRF_COOKIE") != request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if new_secret or getattr(request, "session", None) is not None and request.session.modified:
        return False
    # A message added during this request (and not shown yet) would be kept in the page for others:
    # ``added_new`` is set by every ``add`` and stays set, so it covers the queued messages too
    # (it was read beside the private ``_queued_messages`` before; #29, docs/internals.md).
    if getattr(messages.get_messages(request), "added_new", False):
        return False
    return len(response.content) <= MAX_BODY

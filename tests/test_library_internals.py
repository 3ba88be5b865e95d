"""The private names of libraries our code leans on (docs/internals.md), checked against the pinned
versions: if an upgrade renames or reshapes one, these fail and say which library, which version
and which of our files to look at, instead of the site quietly losing a behaviour (a pool that
waits 10 s for a dead database, live pushes on a new connection each, a page with someone else's
message kept in the cache)."""

import asyncio
import inspect
import re
import socket
import threading
from importlib.metadata import version
from pathlib import Path
from time import monotonic
from unittest import mock

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def pinned(name: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        found = re.match(rf"^{re.escape(name)}(\[[^\]]*\])?==(\S+)", line.strip(), re.IGNORECASE)
        if found:
            return found.group(2)
    raise AssertionError(f"{name} is not pinned in requirements.txt")


def where(library: str, ours: str) -> str:
    return f"{library} {version(library)} (pinned {pinned(library)}): {ours} relies on a private name or shape that changed; see docs/internals.md"


@pytest.mark.parametrize("library", ["Django", "asgiref", "psycopg-pool", "psycopg", "django-csp"])
def test_the_libraries_whose_internals_we_use_are_the_pinned_versions(library):
    assert version(library) == pinned(library), (
        f"{library} {version(library)} is installed but requirements.txt pins {pinned(library)}: "
        "run tests/test_library_internals.py against the new version before moving the pin (docs/internals.md)"
    )


# --- psycopg_pool: core/postgres/base.py ---------------------------------------------------------
def test_psycopg_pool_still_has_the_methods_and_backoff_the_fail_fast_pool_overrides():
    from psycopg_pool import ConnectionPool
    from psycopg_pool.base import AttemptWithBackoff, BasePool

    why = where("psycopg-pool", "core/postgres/base.py")
    assert list(inspect.signature(ConnectionPool._connect).parameters) == ["self", "timeout"], why
    assert list(inspect.signature(ConnectionPool._add_connection).parameters) == ["self", "attempt", "growing"], why
    assert {"INITIAL_DELAY", "DELAY_BACKOFF"} <= set(vars(AttemptWithBackoff)), why
    assert list(inspect.signature(AttemptWithBackoff).parameters) == ["timeout"], why
    # FailFastPool._alive reads how long a connection has been idle from the pool's own stamp.
    assert "conn._created_at" in inspect.getsource(BasePool), why


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once the socket is closed: connecting is refused


def test_a_pool_whose_database_refuses_gives_up_at_once_and_retries_within_a_second():
    """The behaviour the overrides exist for: the request is refused in well under the pool's 5 s
    timeout, and the pool's next attempt comes 0.25 s later, not 1 s."""
    from psycopg_pool import PoolTimeout

    from core.postgres import base

    delays = []

    class Watched(base._QuickAttempt):
        def update_delay(self, now):
            super().update_delay(now)
            delays.append(self.delay)

    why = where("psycopg-pool", "core/postgres/base.py (FailFastPool._connect / _add_connection)")
    with mock.patch.object(base, "_QuickAttempt", Watched):
        pool = base.FailFastPool(f"host=127.0.0.1 port={_closed_port()} connect_timeout=1", min_size=1, open=False, timeout=5, reconnect_timeout=3)
        pool.open(wait=False)
        try:
            started = monotonic()
            with pytest.raises(PoolTimeout):
                pool.getconn()
            assert monotonic() - started < 2.5, why
            assert pool.database_away, why
            for _ in range(50):
                if delays:
                    break
                threading.Event().wait(0.05)
            assert delays and delays[0] < 0.5, why
        finally:
            pool.close()


def test_django_still_keeps_its_pools_where_the_backend_puts_ours():
    from django.db.backends.postgresql import base as stock
    from django.db.utils import ConnectionHandler

    from core.postgres.base import FailFastPool

    why = where("Django", "core/postgres/base.py (DatabaseWrapper.pool)")
    assert isinstance(vars(stock.DatabaseWrapper).get("_connection_pools"), dict), why
    assert callable(getattr(stock.DatabaseWrapper, "_configure_connection", None)), why
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.dummy"}, "probe": {"ENGINE": "core.postgres", "NAME": "probe", "HOST": "127.0.0.1", "OPTIONS": {"pool": {"min_size": 0, "max_size": 1}}}})
    wrapper = handler["probe"]
    try:
        assert isinstance(wrapper.pool, FailFastPool), why
        assert stock.DatabaseWrapper._connection_pools["probe"] is wrapper.pool, why  # close_pool() finds it
    finally:
        wrapper.close_pool()
    assert "probe" not in stock.DatabaseWrapper._connection_pools, why


# --- asgiref: core/wsgibridge.py ----------------------------------------------------------------
def test_async_to_sync_in_a_bridge_thread_runs_on_the_servers_loop():
    from asgiref.sync import async_to_sync

    from core.wsgibridge import run_async_to_sync_on

    loop = asyncio.new_event_loop()
    serving = threading.Thread(target=loop.run_forever, daemon=True)
    serving.start()
    ran_on = {}

    async def which_loop():
        return asyncio.get_running_loop()

    def bridge_thread():
        run_async_to_sync_on(loop)
        ran_on["loop"] = async_to_sync(which_loop)()

    try:
        worker = threading.Thread(target=bridge_thread)
        worker.start()
        worker.join(10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        serving.join(10)
        loop.close()
    assert ran_on.get("loop") is loop, where("asgiref", "core/wsgibridge.py (run_async_to_sync_on: SyncToAsync.threadlocal.main_event_loop)")


# --- Django: core/pagecache.py --------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_run_on_commit_still_lists_sids_func_robust_and_drops_a_rolled_back_savepoints_hooks():
    from django.db import connection, transaction

    def hook():
        pass

    why = where("Django", "core/pagecache.py (_written reads connection.run_on_commit)")
    with transaction.atomic():
        with transaction.atomic():
            connection.on_commit(hook)
            assert [func for _sids, func, _robust in connection.run_on_commit] == [hook], why
            transaction.set_rollback(True)
        assert not any(func is hook for _sids, func, _robust in connection.run_on_commit), why


def test_a_message_added_during_the_request_is_seen_even_after_it_was_read():
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request._messages = CookieStorage(request)  # what MessageMiddleware does
    assert not getattr(messages.get_messages(request), "added_new", None)
    messages.info(request, "已报名")
    list(messages.get_messages(request))  # a template showed it: the queue is emptied into the loaded list
    assert getattr(messages.get_messages(request), "added_new", None) is True, where("Django", "core/pagecache.py (_keepable reads storage.added_new)")


# --- django-csp: core/csp.py ------------------------------------------------------------------------
def test_django_csp_still_lets_a_subclass_change_the_policy_parts():
    from csp.middleware import CSPMiddleware, PolicyParts

    why = where("django-csp", "core/csp.py (ContentSecurityPolicyMiddleware.get_policy_parts)")
    assert list(inspect.signature(CSPMiddleware.get_policy_parts).parameters) == ["self", "request", "response", "report_only"], why
    assert {"config", "update", "replace", "nonce"} <= set(PolicyParts.__dataclass_fields__), why


def _policy(status: int = 200, **allowed) -> dict[str, list[str]]:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core.csp import ContentSecurityPolicyMiddleware, allow

    def view(request):
        response = HttpResponse("页面", status=status)
        if allowed:
            allow(response, **allowed)
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert "Content-Security-Policy-Report-Only" not in response
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split(";") if part.strip()}


def test_the_policy_django_csp_writes_is_the_sites_own():
    assert _policy() == {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"], "font-src": ["'self'"],
        "connect-src": ["'self'"], "frame-src": ["'none'"], "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_the_policy_kept_for_plain_answers_is_the_one_django_csp_writes():
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    header = CSPMiddleware(lambda request: HttpResponse("页面"))(RequestFactory().get("/"))["Content-Security-Policy"]
    assert _policy() == {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}, where("django-csp", "core/csp.py")


def test_an_error_page_keeps_its_inline_styles_and_still_runs_no_script():
    policy = _policy(status=503)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    assert _policy(status=404)["style-src"] == ["'self'"]


def test_a_page_that_allows_frames_replaces_none_and_adds_to_the_rest():
    policy = _policy(script_src=["https://js.stripe.com"], frame_src=["https://js.stripe.com", "https://hooks.stripe.com"])
    assert policy["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]  # never "'none' https://…"
    assert policy["script-src"] == ["'self'", "https://js.stripe.com"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_page_cache_still_reads_the_tables_out_of_the_sql_django_writes():
    """core/pagecache.py finds the table of every write and of every read in Django's SQL by regular
    expression (``WRITE``, ``READ``): a compiler that quoted or spelt them otherwise would leave
    pages served after their rows changed."""
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.pagecache import READ, WRITE

    with CaptureQueriesContext(connection) as seen:
        group = Group.objects.create(name="志愿者组")
        Group.objects.filter(pk=group.pk).update(name="志愿者")
        list(Permission.objects.filter(content_type__app_label="funds"))
        Group.objects.filter(pk=group.pk).delete()
    why = where("Django", f"core/pagecache.py (WRITE / READ on {connection.vendor}'s SQL)")
    writes = [WRITE.match(q["sql"]) for q in seen.captured_queries]
    written = [m.group(1) for m in writes if m]
    assert written[:2] == ["auth_group", "auth_group"] and written[-1] == "auth_group", why  # the deletion's cascade between
    reads = {table for q in seen.captured_queries if not WRITE.match(q["sql"]) for table in READ.findall(q["sql"])}
    assert {"auth_permission", "django_content_type"} <= reads, why

"""The page cache switched on for a test: on the pass's Redis (REDIS_URL), or on the embedded
SQLite run on a redis-server of the test's own on a free port when one is installed (the page cache
exists only with Redis)."""

import shutil
import subprocess
import time

import pytest

from core import pagecache, pubcache
from tests.conftest import ON_REDIS
from tests.reach.smtp import free_port


@pytest.fixture
def page_cache_on(settings):
    """The page cache switched on, on the pass's Redis or on a redis-server started for the test."""
    server = None
    if not ON_REDIS:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs Redis: set REDIS_URL (the second CI pass does) or install redis-server")
        port = free_port()
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while True:
            try:
                pubcache.sync_client().ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    settings.PAGE_CACHE_SECONDS = 60
    pagecache._down_until = 0.0
    yield
    if server is not None:
        pubcache._sync_clients.pop(settings.REDIS_URL, None)
        server.terminate()
        server.wait(timeout=10)

"""Settings for the test suite: the real settings, with a throwaway key and fast hashing.

``DATABASE_URL`` and ``REDIS_URL`` are honoured, so the same suite runs on SQLite and, in the
second CI pass, on PostgreSQL and Redis.
"""

import hashlib
import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from config.settings import *  # noqa: E402,F403,F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Keep lockout tests quick to trigger and independent of the deployment's number.
AXES_FAILURE_LIMIT = 5

# One file per checkout (two clones testing at once on one machine would corrupt a shared one:
# "disk I/O error"); TEST_SQLITE_PATH chooses another, e.g. for two suites of one checkout.
TEST_SQLITE_FILE = os.environ.get("TEST_SQLITE_PATH") or os.path.join(
    tempfile.gettempdir(), f"community_market_test_{hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]}.sqlite3"
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database: concurrency tests need real WAL locking and
    # the busy timeout, which shared-cache memory databases do not honour.
    DATABASES["default"]["TEST"] = {"NAME": TEST_SQLITE_FILE}

# Each test runs in a transaction that is rolled back, and its on-commit hooks (which renew the
# public cache) do not run: a cached list would leak from one test into the next. The tests of
# the cache itself (tests/test_pubcache.py) switch it on and clear it.
PUBLIC_CACHE_SECONDS = 0
# The signed-in pages kept per browser (core/pagecache.py) stay on in the Redis pass: their
# generations are renewed at the write itself, not only on commit, so every page a test reads
# after a change must show it, and the whole suite checks that nothing kept is stale.

# Jobs run inline in the test process unless a test starts a real worker (tests/test_reach_worker.py
# switches HUEY.immediate off and runs `manage.py run_huey` against the same storage).
HUEY["immediate"] = os.environ.get("HUEY_IMMEDIATE", "1") != "0"
if HUEY["huey_class"] == "huey.SqliteHuey":
    HUEY["filename"] = TEST_SQLITE_FILE + ".huey"

# The suite's websocket tests run in one process on event loops of their own (channels'
# communicators): the in-memory layer. `make serve` without Redis uses core.localchannels, and
# tests/test_serve.py checks it across real worker processes.
CHANNEL_LAYERS = CHANNEL_LAYERS if REDIS_URL else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

"""Settings for 社区集市, read from the environment (see README.md, "Configuration").

With no environment at all (and ``DEBUG=1``) the site runs embedded: a SQLite file in the project,
the in-memory channel layer and the local-memory cache. ``DATABASE_URL`` and ``REDIS_URL`` move the
same code onto PostgreSQL and Redis so several server processes can share them.
"""

import hashlib
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Under DEBUG, unknown addresses still show the project's 404 page (core.middleware.
# ProjectNotFoundPageMiddleware); DEBUG_404=1 brings back Django's debug page listing the routes.
DEBUG_404 = env_bool("DEBUG_404", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (for example: "
            "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'))"
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    # Only for its static files: Swagger UI at /api/v1/docs is served from here, not from a CDN.
    "ninja",
    "channels",
    "axes",
    # The project's apps, lowest floor first (docs/architecture.md): each imports only those above it here.
    "core",
    "accounts",
    "points",
    "marketplace",
    "orders",
    "records",
    "funds",
    "relief",
    "affairs",
    "deliberation",
    "resources",  # venues, bookings, handovers, community groups, talents (#33)
    "budgets",  # 民生实事项目票决 (#34)
    "reach",
    "dashboards",
    "config",
    # The demo district (`load_demo`) and the benchmarks' (`scale_data`): on top, beside config.
    "demo",
    # The job queue (Huey): `manage.py run_huey` runs the workers and the periodic jobs (README, "Jobs").
    "huey.contrib.djhuey",
]

# The Content-Security-Policy of every answer (django-csp; core/csp.py adds what one page allows
# and the 500 pages' inline styles). No inline script, no other host, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# SERVER_TIMING=1: every answer says where its time went (db, templates, cache, app) in a
# Server-Timing header (core/timing.py). Off, its middleware drops itself from the chain at start-up.
SERVER_TIMING = env_bool("SERVER_TIMING", False)

MIDDLEWARE = [
    # First, so its "app" figure covers every other middleware (only with SERVER_TIMING on).
    "core.timing.ServerTimingMiddleware",
    # First: a body over MAX_REQUEST_BODY_BYTES is refused before anything reads it (WSGI; under
    # ASGI core.bodylimit.BodyLimit already refused it in front of Django).
    "core.bodylimit.RequestBodyLimitMiddleware",
    # A control character in the path, or NUL in a query value, never reaches a view (#36.6).
    "core.middleware.ControlCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Our own scripts, styles and images only; no inline script (CONTENT_SECURITY_POLICY below, core/csp.py).
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.ProjectNotFoundPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.NumberTooLargeMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "core.middleware.AxesPageLockoutMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"


# --- Database -------------------------------------------------------------------------------
def _database_from_env() -> dict:
    url = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    try:
        db = dj_database_url.parse(url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django knows: {exc}") from None
    engine = db["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        db["OPTIONS"] = {
            # Writers take the lock when the transaction starts, so two writers queue behind the
            # busy timeout instead of one failing with "database is locked" when it upgrades a
            # read lock mid-transaction. WAL lets readers go on while one writer writes.
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30, minimum=1),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    elif engine == "django.db.backends.postgresql":
        # The stock backend with a pool that fails fast (core/postgres/base.py): it never hands out
        # a connection the server has closed (a restart, a failover), and while the database is
        # unreachable a request answers 503 within DB_CONNECT_GRACE instead of waiting on the pool.
        db["ENGINE"] = "core.postgres"
        # Under ASGI every request may run on a different thread, so Django's per-thread persistent
        # connections (CONN_MAX_AGE) would pile up one idle connection per thread. A psycopg pool
        # per process shares a few connections between all threads instead; CONN_MAX_AGE must be 0
        # with it. DB_POOL=0 turns it off (e.g. behind PgBouncer).
        db["CONN_MAX_AGE"] = 0
        # No CONN_HEALTH_CHECKS: with the pool it sleeps 1, 2, 4… s between dead connections after a
        # restart. core.postgres checks each connection as it leaves the pool instead.
        options = db.setdefault("OPTIONS", {})
        # libpq's own limits, so nothing waits on a database host that does not answer: the
        # connection attempt (2 s is libpq's floor), keepalives on idle connections, and a TCP
        # user timeout that drops a connection whose packets go unanswered (a host gone, a
        # partition) instead of waiting minutes for the kernel to give up.
        options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 2, minimum=1)
        options.update(keepalives=1, keepalives_idle=10, keepalives_interval=2, keepalives_count=3)
        if tcp_user_timeout := env_int("DB_TCP_USER_TIMEOUT_MS", 1000, minimum=0):
            options["tcp_user_timeout"] = tcp_user_timeout
        # A statement longer than this is cancelled by the server (0: no limit, the default; set it
        # on the app hosts, not for `manage.py migrate`, whose index builds may take long).
        if statement_timeout := env_int("DB_STATEMENT_TIMEOUT_MS", 0, minimum=0):
            options["options"] = f"-c statement_timeout={statement_timeout}"
        # Parameters are sent apart from the SQL (server-side binding), so psycopg can prepare a
        # statement: from the DB_PREPARE_THRESHOLD-th time a connection runs the same SQL, the
        # server reuses its plan instead of planning again (0: never prepare, e.g. behind a pooler
        # that cannot keep prepared statements). Planning was about 3 ms of a home page's 13 queries.
        if env_bool("DB_SERVER_SIDE_BINDING", True):
            options["server_side_binding"] = True
            options["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5, minimum=0) or None
        if env_bool("DB_POOL", True):
            options["pool"] = {
                "min_size": env_int("DB_POOL_MIN", 1, minimum=0),
                "max_size": env_int("DB_POOL_MAX", 10, minimum=1),
                # The longest a request waits for a connection of a busy pool while the database answers.
                # While it does not (the pool's latest attempt failed, or one has gone unanswered for
                # DB_CONNECT_GRACE seconds), requests get their 503 at once instead (core/postgres/base.py).
                "timeout": env_float("DB_POOL_TIMEOUT", 10, minimum=0.05),
                "connect_grace": env_float("DB_CONNECT_GRACE", 0.5, minimum=0.05),
                # While the database is away the pool retries with a doubling delay (1, 2, 4, 8 s…),
                # so after a 20 s outage its next try came 10 s after the database was back, and a
                # longer outage would keep the site at 503 well after it. Giving up a retry series
                # after a few seconds lets the next request start a fresh one at once (tests/test_faults.py).
                "reconnect_timeout": 3,
                # A connection idle for longer than this is asked one round trip before it is used.
                "idle_check_seconds": env_float("DB_POOL_IDLE_CHECK_SECONDS", 2, minimum=0),
            }
    else:
        raise ImproperlyConfigured(f"DATABASE_URL must point at SQLite or PostgreSQL, not {engine}")
    return db


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and channel layer -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft: while Redis is away reads miss, writes are skipped (and undone when it is
            # back) and one circuit breaker keeps every caller from waiting on it (core/cache.py).
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cm",
            "OPTIONS": {
                # Redis on the same network answers in well under a millisecond: a request that
                # waits 0.3 s for it has found it away (the cluster test's frozen Redis: p99 < 1 s).
                "socket_connect_timeout": env_float("REDIS_CONNECT_TIMEOUT", 0.3, minimum=0.05),
                "socket_timeout": env_float("REDIS_TIMEOUT", 0.3, minimum=0.05),
            },
        }
    }
    # After Redis fails, it is left aside this long before one request tries it again (core/redisguard.py).
    REDIS_PAUSE_SECONDS = env_float("REDIS_PAUSE_SECONDS", 5, minimum=0.1)
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: a message to a board group is published once and each server process hands
            # it to its own sockets, so one change reaches a thousand open boards at the cost of
            # one Redis command (the list-based layer writes one copy per socket, and drops copies
            # beyond its per-process capacity). Live pushes need no storage: a client that is not
            # connected reloads the page when it comes back.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Short timeouts: if Redis is down, a push fails fast and the request goes on.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_connect_timeout": 0.3, "socket_timeout": 0.5}], "prefix": "cm"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Without Redis, the server processes of one machine share live pushes through Unix sockets in
    # one directory per database (core/localchannels.py), so every worker of `make serve` reaches
    # every websocket. CHANNEL_SOCKET_DIR names another directory.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "core.localchannels.LocalSocketChannelLayer",
            "CONFIG": {
                "directory": env_str("CHANNEL_SOCKET_DIR")
                or str(Path(tempfile.gettempdir()) / f"cm-channels-{hashlib.sha256(str(DATABASES['default']['NAME']).encode()).hexdigest()[:12]}")
            },
        }
    }

# Anonymous answers of the busiest public lists, kept in Redis and renewed on every change
# (core/pubcache.py, in front of Django in config/asgi.py). Off without Redis.
# The board leaves out tasks that have started; the timeout bounds how long a page can show one.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60 if REDIS_URL else 0, minimum=0)
PUBLIC_CACHE_PATHS = {"/tasks/": "tasks", "/api/v1/tasks": "tasks"}
# Signed-in pages (home, my claims, my points, the board) kept per browser and served only while no
# table they read has been written since (core/pagecache.py). Off without Redis or with
# PAGE_CACHE_SECONDS=0; the timeout bounds writes made outside Django.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60 if REDIS_URL else 0, minimum=0)
# Only addresses made of these parameters are kept, so made-up query strings cannot fill Redis
# with copies (the task list's filters and pagination). Run Redis with an eviction policy
# (maxmemory + allkeys-lru): an evicted answer or generation only costs a rebuild.
PUBLIC_CACHE_PARAMS = frozenset(
    {"community", "category", "status", "q", "has_slots", "starts_after", "starts_before", "skill", "page", "page_size"}
)

# --- Serving: signed-in speed (issue #18; README, "Performance") ------------------------------------
# HTTP requests run through Django's WSGI handler on this many threads per server process, inside
# the ASGI server that also holds the websockets (core/wsgibridge.py, config/asgi.py).
HTTP_THREADS = env_int("HTTP_THREADS", 2, minimum=1)
# A request body past this size is spooled to a temporary file, not held in memory, both by the
# HTTP bridge and by Django's upload handlers: concurrent uploads do not grow the processes (#27).
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024, minimum=1024)
# Sessions are read from the cache (Redis) and written to both: the database stays the source of
# truth, and a signed-in page costs no session query. Without Redis each process's local cache
# would keep a session another process ended, so the embedded default reads the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Jobs: Huey runs the scheduled and the slow work (reach/tasks.py, orders/tasks.py, points/tasks.py) --
# With REDIS_URL the queue lives in Redis (HUEY_REDIS_URL to give it its own database) and the
# workers run as their own processes (`make worker`); without it, in a SQLite file next to the
# database, so the embedded default needs nothing installed. Jobs are idempotent sweeps of the
# database, so a job lost with a killed worker is done by the next run.
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL", REDIS_URL)
_HUEY_COMMON = {
    "name": env_str("HUEY_NAME", "community-market"),
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread", "periodic": True},
}
if HUEY_REDIS_URL:
    # Timeouts on the queue's connections too: without them, queueing a job while Redis is frozen
    # waited until it came back (9 s in make cluster-test), holding an HTTP thread (issue #27).
    # Longer than the consumer's 1 s blocking read, which must not time out.
    _huey_url = HUEY_REDIS_URL + ("&" if "?" in HUEY_REDIS_URL else "?") + "socket_connect_timeout=0.5&socket_timeout=3"
    HUEY = {**_HUEY_COMMON, "huey_class": "huey.RedisHuey", "url": _huey_url}
else:
    _db_name = DATABASES["default"]["NAME"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else BASE_DIR / "db.sqlite3"
    HUEY = {**_HUEY_COMMON, "huey_class": "huey.SqliteHuey", "filename": env_str("HUEY_SQLITE_PATH", f"{_db_name}.huey")}

# Reminders before each claimed task: minutes before the start, one reminder per lead time.
_reminder_minutes = env_list("TASK_REMINDER_MINUTES", ["1440", "120"])
if not all(m.isdigit() and int(m) > 0 for m in _reminder_minutes):
    raise ImproperlyConfigured(f"TASK_REMINDER_MINUTES must be whole minutes above 0, comma-separated; got {_reminder_minutes!r}")
TASK_REMINDER_MINUTES = sorted({int(m) for m in _reminder_minutes}, reverse=True)

# Assistance applications (relief): staff are reminded of one waiting longer than this many days.
ASSISTANCE_REMINDER_DAYS = env_int("ASSISTANCE_REMINDER_DAYS", 3, minimum=1)
# Email: tries per message before it is given up (and logged), and how long one try may hold it.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1)
EMAIL_SEND_LEASE_SECONDS = env_int("EMAIL_SEND_LEASE_SECONDS", 120, minimum=1)

# --- Email: Django's own names (password reset, notifications, reminders, digests); with no
# EMAIL_HOST mail is written to the console.
# The site's address in links of emails and calendar feeds written outside a request (jobs).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Accounts and authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.NotOnlyWhitespaceValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Repeated failed logins (page or API token) lock a name from the address they came from; a much
# higher number of failures from one address, for any names, locks the address (accounts/lockout.py).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LoginLimitHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# axes.W002 looks for its own middleware by name; ours (core.middleware) is a subclass of it.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Behind a proxy the client's address is in X-Forwarded-For; trust it only when told to.
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90, minimum=1)

# Rows on a page of a list (core.paging.page_of): lists people read, and lists people scan
# (queues, directories, notifications). The API's lists take page_size themselves.
PAGE_SIZE = env_int("PAGE_SIZE", 20, minimum=1)
LONG_PAGE_SIZE = env_int("LONG_PAGE_SIZE", 30, minimum=1)

# Attempts per client address (and per donation for /pay) in a window of seconds; past it, 429
# too_many_attempts (core/ratelimit.py). A community centre shares one address: room for a class.
RATE_LIMITS = {
    "register": (env_int("REGISTER_RATE_LIMIT", 20, minimum=1), 3600),
    "donation_create": (env_int("DONATION_RATE_LIMIT", 20, minimum=1), 3600),
    "donation_pay": (env_int("DONATION_PAY_RATE_LIMIT", 10, minimum=1), 3600),
    "password_reset": (env_int("PASSWORD_RESET_RATE_LIMIT", 10, minimum=1), 3600),
    "report_create": (env_int("REPORT_RATE_LIMIT", 5, minimum=1), 3600),  # 监督举报: per person and address
}

# --- Internationalisation: Chinese first, English available ----------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files, served by the app itself through WhiteNoise --------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # or the bucket, below
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The largest request body accepted (uploads included): larger ones answer 413 ``too_large`` before
# they are read (core/bodylimit.py). The app's own uploads are far smaller (pictures 2 MB).
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"
# Uploads anyone may fetch by address (/media/...); every other upload (bid attachments, spending
# vouchers) is served only by a view that checks the viewer (core/media.py).
PUBLIC_MEDIA_PREFIXES = ["rewards/"]

# --- Uploads on shared object storage (several app hosts; docs/deploy.md) -----------------------
# With AWS_STORAGE_BUCKET_NAME set, uploads go to that S3 bucket (AWS, MinIO, Ceph, OSS/COS in S3
# mode) through django-storages, instead of MEDIA_ROOT, which only one host can see. The usual
# AWS_* names: the keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are read by boto3 from the
# environment (or an instance role) and never kept in settings. The bucket stays private: public
# pictures are streamed by the app at /media/, private files by the views that check the viewer
# (core/storage.py, core/media.py).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
# Private downloads as a redirect to a signed bucket address instead of through the app; only where
# visitors' browsers can reach the bucket's endpoint.
MEDIA_SIGNED_URLS = env_bool("MEDIA_SIGNED_URLS", False)
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _BotoConfig  # only with a bucket: boto3 is heavy (core/s3.py)

    STORAGES["default"] = {
        "BACKEND": "core.s3.MediaStorage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # none: AWS itself
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most MinIO set-ups
            "location": env_str("AWS_LOCATION", ""),  # a folder inside the bucket
            "signature_version": "s3v4",
            "default_acl": None,  # nothing made public-read: the bucket's own (private) policy holds
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 60, minimum=1),
            "file_overwrite": False,  # two hosts never write over each other's upload
            # A bucket that does not answer fails the request in seconds (503), not after minutes.
            "client_config": _BotoConfig(
                connect_timeout=env_float("AWS_S3_CONNECT_TIMEOUT", 2, minimum=0.1),
                read_timeout=env_float("AWS_S3_READ_TIMEOUT", 10, minimum=0.1),
                retries={"mode": "standard", "max_attempts": 2},
            ),
        },
    }
elif MEDIA_SIGNED_URLS:
    raise ImproperlyConfigured("MEDIA_SIGNED_URLS=1 needs uploads in a bucket: set AWS_STORAGE_BUCKET_NAME")

# --- Security: strict unless DEBUG -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # /healthz and /readyz are probed over plain HTTP by a load balancer inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Stripe (donations) ------------------------------------------------------------------------
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "https://js.stripe.com/v3/")
CURRENCY = env_str("CURRENCY", "cny")
DONATION_MIN = env_int("DONATION_MIN", 100, minimum=1)  # minor units: ¥1.00
DONATION_MAX = env_int("DONATION_MAX", 5_000_000, minimum=1)  # ¥50,000.00

# --- Volunteer records (docs/records.md) ---------------------------------------------------------
# The district's prefix of volunteer numbers (志愿者编号 = prefix + an 8-digit serial), e.g. JB for
# 江北. Numbers already given keep the prefix they were given with.
VOLUNTEER_NO_PREFIX = env_str("VOLUNTEER_NO_PREFIX", "JB").strip().upper()
if not (VOLUNTEER_NO_PREFIX.isascii() and VOLUNTEER_NO_PREFIX.isalpha() and 1 <= len(VOLUNTEER_NO_PREFIX) <= 8):
    raise ImproperlyConfigured(f"VOLUNTEER_NO_PREFIX must be 1 to 8 Latin letters; got {VOLUNTEER_NO_PREFIX!r}")

# --- Email settings (Django's own names) ------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "社区集市 <noreply@localhost>")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
if not EMAIL_HOST:
    EMAIL_HOST = "localhost"  # Django's default; unused by the console backend

# --- Logging: to the console, where the process manager collects it ----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

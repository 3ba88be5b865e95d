"""The running site as an operator sees it: probes, settings, production checks, static files."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.env import env_bool, env_float, env_int, env_list
from tests.conftest import ON_POSTGRES, needs_postgres, needs_redis

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_without_touching_the_database(db):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_readyz_is_ok_when_the_database_answers(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_database_is_down(db):
    from django.db import OperationalError

    with mock.patch("config.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_readyz_is_503_when_redis_is_configured_but_down(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


@needs_redis
def test_readyz_checks_the_real_redis(db):
    response = Client().get("/readyz")
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@needs_redis
def test_the_cache_and_channel_layer_use_redis_when_redis_url_is_set(settings):
    from django.core.cache import cache

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    cache.set("probe", "值", 5)
    assert cache.get("probe") == "值"


@needs_postgres
def test_postgres_runs_with_a_connection_pool(db):
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert "pool" in connection.settings_dict["OPTIONS"]
    # The pool that fails fast (core/postgres/base.py), and libpq's own limits on a silent host.
    assert type(connection.pool).__name__ == "FailFastPool"
    assert connection.pool.connect_grace <= 0.5 and connection.pool.timeout >= 1  # a busy pool is waited on
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 2


@needs_postgres
def test_postgres_plans_a_query_the_pages_repeat_once_per_connection(db, make_task, volunteer):
    """Server-side binding with psycopg's prepared statements: from the fifth time a connection runs
    the same SQL, PostgreSQL reuses its plan instead of planning again (planning was about 3 ms of a
    home page's 13 queries at 100,000 tasks, bench/README.md)."""
    from tests.conftest import browser

    options = connection.settings_dict["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    task = make_task(title="读报")
    for _ in range(6):
        assert "读报" in browser(volunteer).get(f"/tasks/{task.pk}/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "marketplace_task"' in statement for statement in prepared), prepared


@pytest.mark.skipif(ON_POSTGRES, reason="checks the embedded SQLite settings; this pass runs on PostgreSQL")
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_helpers_fail_loudly_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "four")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUM", 1, minimum=1)
    monkeypatch.setenv("X_SECONDS", "half")
    with pytest.raises(ImproperlyConfigured, match="X_SECONDS must be a number"):
        env_float("X_SECONDS", 0.5)
    monkeypatch.setenv("X_SECONDS", "0.25")
    assert env_float("X_SECONDS", 0.5, minimum=0.05) == 0.25
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def _manage(*args, env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"DEBUG": "0", "SECRET_KEY": "x7#Kq!p2Lz9@vR4mN8sT1wY6bH3jF5gD0cA-eU_iO+lP&kJ^hG%", "ALLOWED_HOSTS": "market.example.cn"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_overrides={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_typo_in_debug_stops_the_process_with_the_variable_named():
    result = _manage("check", env_overrides={"DEBUG": "ture"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_the_stylesheet_is_served_by_the_app_itself(db):
    from django.contrib.staticfiles import finders

    assert finders.find("css/site.css")
    page = Client().get("/").content.decode()
    assert "/static/css/site.css" in page
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]  # no CDN in the head


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/tasks/123456789012345678901234567890", "/api/v1/consultations?community=708209911109493719040", "/api/v1/tasks?community=99999999999999999999999"],
)
def test_numbers_too_large_for_the_database_are_400_in_the_api(path):
    # Found by schemathesis: SQLite cannot hold these and raised OverflowError (500). PostgreSQL
    # compares them and finds nothing; either way the caller gets a clear answer, not a 500.
    response = Client().get(path)
    assert response.status_code in (200, 400, 404, 422)
    body = response.json()
    assert body["code"] if response.status_code != 200 else body["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tasks/123456789012345678901234567890/", "/tasks/?community=99999999999999999999999"])
def test_numbers_too_large_for_the_database_are_not_a_server_error_on_pages(path):
    assert Client().get(path).status_code in (200, 400, 404)  # the board ignores an unknown community

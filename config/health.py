"""Probes for a load balancer: /healthz (the process answers) and /readyz (its services answer)."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from core import jobhealth
from core.redisguard import breaker

logger = logging.getLogger(__name__)


def healthz(request):
    """Touches nothing but the process: the bare floor for benchmarks and a liveness probe."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        logger.warning("readyz: database check failed: %s", exc)
        return "unavailable"
    return "ok"


def _check_redis() -> str:
    if breaker.is_open and not breaker.usable():  # this process found it away a moment ago
        return "unavailable"
    try:
        # Half a second each: /readyz must answer within a second even when Redis does not (issue #23).
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
        client.close()
    except Exception as exc:  # logged once per interval by the breaker, not on every probe
        breaker.failed("readyz", exc)
        return "unavailable"
    breaker.succeeded()
    return "ok"


def readyz(request):
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    # Told, not counted in "status": a dead job worker does not make this web process unready.
    # Asked only when the queue's store answered (with Redis down, the probe must stay quick).
    if checks.get("redis", "ok") == "ok":
        body["jobs"] = jobhealth.status()
    return JsonResponse(body, status=200 if ready else 503)

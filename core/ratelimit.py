"""One small rate limiter for the doors that can be hammered anonymously, on Django's cache.

Used for registration (probing names, making accounts in bulk), donation creation and the
``/pay`` retries of a donation (card testing: trying stolen card numbers one after another).
Each use names a *scope* with its limit in ``settings.RATE_LIMITS`` (``(hits, seconds)``) and is
counted per client address (the same address django-axes sees, so ``TRUSTED_PROXY_COUNT`` applies)
and, where given, per object too. Past the limit: ``RateLimited`` with code ``too_many_attempts``
(429: the contract's JSON under /api/, the error page elsewhere).

Fixed windows, counted with ``cache.add`` + ``cache.incr`` (atomic in Redis and in the
local-memory cache), so every process behind Redis shares the count. If the cache fails, the
request is let through: a limiter must not take the site down with it. Every limited door fails
open on purpose (README, "When Redis is down"): closed, an outage of Redis would refuse every
registration and donation, and an outage is seconds, not a window an attacker can plan on.
"""

import logging
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from core.cache import CacheUnavailable
from core.errors import RateLimited

logger = logging.getLogger(__name__)

_generation = "0"  # changed by reset(): every count starts again (tests)


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def _hit(key: str, window: int) -> int:
    slot = int(time.time() // window)
    full = f"rl:{_generation}:{key}:{slot}"
    cache.add(full, 0, timeout=window + 5)
    try:
        return cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.add(full, 1, timeout=window + 5)
        return 1


def check(request, scope: str, *, per: str | None = None) -> None:
    """Count one attempt at ``scope`` from this client (and for ``per``, e.g. one donation's id);
    raise 429 ``too_many_attempts`` once either count passes the scope's limit."""
    limit, window = settings.RATE_LIMITS[scope]
    keys = [f"{scope}:ip:{client_address(request)}"]
    if per is not None:
        keys.append(f"{scope}:obj:{per}")
    try:
        over = [key for key in keys if _hit(key, window) > limit]
    except CacheUnavailable:  # Redis is away: open, and its breaker has logged it (core/redisguard.py)
        return
    except Exception:  # the cache is down: let the request through, and say so
        logger.warning("rate limit %s not checked: the cache failed", scope, exc_info=True)
        return
    if over:
        logger.info("rate limit %s reached for %s", scope, over[0])
        raise RateLimited(_("Too many attempts. Please wait a while and try again."))


def reset() -> None:
    """Forget every count (tests)."""
    global _generation
    _generation = str(time.monotonic_ns())

"""Django's Redis cache that fails soft (``CACHES`` with ``REDIS_URL``; core/redisguard.py).

While Redis fails, or the breaker keeps it aside, a read finds nothing (``get`` answers its default,
so sessions are read from the database), a write is skipped, and ``incr`` raises
``CacheUnavailable`` (the rate limiter then lets the request through, core/ratelimit.py).

A write that was skipped leaves Redis possibly holding an older value: a session signed out
during the outage would come back with Redis. So the key of every skipped write is remembered
(up to ``MAX_UNSURE`` keys, then every key of this cache) and deleted as soon as Redis answers
again, before the breaker lets any other caller use it.
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import RedisError

from core.redisguard import breaker

logger = logging.getLogger("core.redis")

MAX_UNSURE = 100_000
REDIS_FAILURES = (RedisError, OSError)


class CacheUnavailable(Exception):
    """Redis cannot be asked now; a count kept there cannot be trusted (core/ratelimit.py)."""


class FailSoftRedisClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._unsure: set[str] = set()
        self._unsure_overflow = False
        self._unsure_lock = threading.Lock()
        breaker.on_recovery(self._forget_unsure, key="cache")  # the newest client of the cache; an older one is gone

    def _remember(self, keys) -> None:
        with self._unsure_lock:
            if self._unsure_overflow:
                return
            self._unsure.update(keys)
            if len(self._unsure) > MAX_UNSURE:
                self._unsure_overflow, self._unsure = True, set()

    def _forget_unsure(self) -> None:
        with self._unsure_lock:
            keys, overflow = self._unsure, self._unsure_overflow
            self._unsure, self._unsure_overflow = set(), False
        if not keys and not overflow:
            return
        client = super().get_client(None, write=True)
        try:
            if overflow:
                for key in client.scan_iter(match=self._pattern, count=1000):
                    client.delete(key)
            else:
                keys = list(keys)
                for start in range(0, len(keys), 1000):
                    client.delete(*keys[start:start + 1000])
        except REDIS_FAILURES:
            self._remember(keys) if not overflow else setattr(self, "_unsure_overflow", True)
            raise
        logger.warning("Redis: %s written during the outage forgotten", "every cache key" if overflow else f"{len(keys)} key(s)")

    _pattern = "*"  # set by FailSoftRedisCache to this cache's own keys

    def _call(self, what: str, write_keys, fallback, method, *args):
        if not breaker.usable():
            if write_keys:
                self._remember(write_keys)
            return fallback()
        try:
            result = method(*args)
        except REDIS_FAILURES as exc:
            if write_keys:
                self._remember(write_keys)
            breaker.failed(f"cache {what}", exc)
            return fallback()
        breaker.succeeded()
        return result

    def add(self, key, value, timeout):
        return self._call("add", [key], lambda: False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._call("get", None, lambda: default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._call("set", [key], lambda: None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._call("touch", [key], lambda: False, super().touch, key, timeout)

    def delete(self, key):
        return self._call("delete", [key], lambda: False, super().delete, key)

    def get_many(self, keys):
        return self._call("get_many", None, dict, super().get_many, keys)

    def has_key(self, key):
        return self._call("has_key", None, lambda: False, super().has_key, key)

    def incr(self, key, delta):
        def unavailable():
            raise CacheUnavailable("Redis is unavailable")

        return self._call("incr", [key], unavailable, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._call("set_many", list(data), lambda: None, super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._call("delete_many", list(keys), lambda: None, super().delete_many, keys)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisClient

    @cached_property
    def _cache(self) -> FailSoftRedisClient:
        client = self._class(self._servers, **self._options)
        client._pattern = self.make_key("*")
        return client

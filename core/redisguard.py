"""Redis is an accelerator, never a single point of failure (issue #27).

Everything this process asks of Redis (the Django cache and with it the sessions' copy and the rate
limits, the public and page caches, live pushes) goes through one circuit breaker, ``breaker``:

- closed: Redis is used; a call that fails (refused, timed out, any error) opens the breaker;
- open: for ``REDIS_PAUSE_SECONDS`` (5 s) Redis is not asked at all, so a request costs a look at
  the clock instead of a socket timeout, and everything falls back (sessions to the database,
  caches to building the page, rate limits let the request through, pushes are dropped: the
  notification is stored and a socket that comes back gets it, accounts/consumers.py);
- then one caller at a time probes it again; the first success closes the breaker.

A failure is logged once per ``LOG_EVERY`` seconds, one line with the count of failures since the
last line, never one traceback per request (a 55 s outage once wrote 39 MB of chained tracebacks).
"""

import logging
import threading
from time import monotonic

from django.conf import settings

logger = logging.getLogger("core.redis")

LOG_EVERY = 30.0


def _pause_seconds() -> float:
    return getattr(settings, "REDIS_PAUSE_SECONDS", 5.0)


class Breaker:
    def __init__(self, name: str, pause: float | None = None):
        self.name = name
        self._pause = pause
        self._lock = threading.Lock()
        self._down_until = 0.0  # 0: closed
        self._failures_unlogged = 0
        self._last_logged = -LOG_EVERY
        self._recovery_hooks: dict = {}

    @property
    def pause(self) -> float:
        return _pause_seconds() if self._pause is None else self._pause

    @property
    def is_open(self) -> bool:
        return self._down_until != 0.0

    def usable(self) -> bool:
        """May Redis be asked now? While open, False until the pause ends; then True for one caller
        (the probe), whose outcome closes or reopens the breaker. Before the probe's own call, the
        recovery hooks undo what the outage left behind (a skipped write, a generation not renewed),
        so not even the probe reads a stale value; if they fail, Redis is still away."""
        if not self._down_until:
            return True
        now = monotonic()
        with self._lock:
            if now < self._down_until:
                return False
            self._down_until = now + self.pause  # half-open: only this caller probes
        for hook in list(self._recovery_hooks.values()):
            try:
                hook()
            except Exception as exc:  # a hook talks to Redis: it is still away
                self.failed("recovery", exc)
                return False
        return True

    def failed(self, what: str, exc: BaseException | None = None) -> None:
        now = monotonic()
        with self._lock:
            was_closed = not self._down_until
            self._down_until = now + self.pause
            self._failures_unlogged += 1
            if not was_closed and now - self._last_logged < LOG_EVERY:
                return
            count, self._failures_unlogged, self._last_logged = self._failures_unlogged, 0, now
        logger.warning(
            "%s unreachable (%s: %s); working without it for %.0f s (%d failure(s) since the last line)",
            self.name, what, f"{type(exc).__name__}: {exc}" if exc is not None else "skipped", self.pause, count,
        )

    def succeeded(self) -> None:
        """A call went through: the outage is over."""
        if not self._down_until:
            return
        with self._lock:
            if not self._down_until:
                return
            self._down_until = 0.0
            self._failures_unlogged = 0
        logger.warning("%s answers again", self.name)

    def on_recovery(self, hook, key=None) -> None:
        """Run ``hook`` when Redis answers again. A hook registered again under the same ``key`` (a
        cache client made anew for the same server, as after a settings change) replaces the old
        one, whose client is gone: a stale hook that failed would keep the breaker open for ever."""
        self._recovery_hooks[hook if key is None else key] = hook

    def reset(self) -> None:
        """Closed, as at start (tests)."""
        with self._lock:
            self._down_until = 0.0
            self._failures_unlogged = 0
            self._last_logged = -LOG_EVERY


breaker = Breaker("Redis")

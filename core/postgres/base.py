"""Django's PostgreSQL backend, with a connection pool that never hands out a dead connection and
never keeps a request waiting while the database is away (issue #23; docs/deploy.md).

Django 5.2 builds a ``psycopg_pool.ConnectionPool`` per process. Two things it does not do:

- After a PostgreSQL restart or a failover the pool still holds connections the server has closed.
  ``CONN_HEALTH_CHECKS`` would find them, but the pool then sleeps 1, 2, 4 … s between the dead
  ones. Here every connection is looked at as it leaves the pool, at no cost: an idle connection
  whose socket is readable has been told goodbye by the server (a terminated backend, a shutdown),
  so it is closed and the next one is taken, without sleeping. A connection idle for longer than
  ``idle_check_seconds`` (a failover may leave a socket that nobody has told anything) is also
  asked one empty round trip.
- While the database was unreachable every request waited the pool's whole ``timeout`` for a
  connection that never came (10 s), and under load the threads filled up. Here a request waits
  for a busy pool as long as the database is known to answer, but gives up (503) as soon as the
  pool's latest connection attempt has failed, or one has gone unanswered for ``connect_grace``
  seconds (a host that does not answer): a tenth of a second when the database is refusing,
  ``connect_grace`` when it is silent. The pool goes on reconnecting in the background, every
  0.25 to 1 s, and the first success ends the outage for every request.
"""

import select
import threading
import weakref
from time import monotonic

from django.db.backends.postgresql import base
from psycopg import pq
from psycopg_pool import ConnectionPool, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

# How often a waiting request looks again whether the database has been found away.
_LOOK_EVERY = 0.1


class _QuickAttempt(AttemptWithBackoff):
    """The pool's reconnection series, tighter: 0.25, 0.4, 0.6 … s apart instead of 1, 2, 4 … s, so
    the site is back within a second of the database (a refused connection costs nothing)."""

    INITIAL_DELAY = 0.25
    DELAY_BACKOFF = 1.5


def _server_said_goodbye(conn) -> bool:
    """An idle connection has nothing to read unless the server closed it (or is closing it)."""
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # the socket is gone already
        return True


_pools: "weakref.WeakSet[FailFastPool]" = weakref.WeakSet()


def database_known_away() -> bool:
    """Has a pool of this process found its database away (and not found it back since)? Read by
    the HTTP bridge on the event loop to refuse requests before they take a thread (core/wsgibridge.py)."""
    return any(pool.database_away for pool in list(_pools))


class FailFastPool(ConnectionPool):
    def __init__(self, *args, idle_check_seconds: float = 2.0, connect_grace: float = 0.5, **kwargs):
        _pools.add(self)
        self.idle_check_seconds = idle_check_seconds
        self.connect_grace = connect_grace
        self._attempts_lock = threading.Lock()
        self._attempts_running: dict[int, float] = {}  # thread id -> when its connection attempt began
        self._last_failure = self._last_success = 0.0
        super().__init__(*args, **kwargs)

    @property
    def database_away(self) -> bool:
        """The latest connection attempt failed, or one has gone unanswered for too long."""
        with self._attempts_lock:
            if self._last_failure > self._last_success:
                return True
            oldest = min(self._attempts_running.values(), default=None)
        return oldest is not None and monotonic() - oldest > self.connect_grace and oldest > self._last_success

    def _connect(self, timeout: float | None = None):
        me = threading.get_ident()
        with self._attempts_lock:
            self._attempts_running[me] = monotonic()
        try:
            conn = super()._connect(timeout)
        except BaseException:
            with self._attempts_lock:
                self._last_failure = monotonic()
            raise
        else:
            with self._attempts_lock:
                self._last_success = monotonic()
            return conn
        finally:
            with self._attempts_lock:
                self._attempts_running.pop(me, None)

    def getconn(self, timeout: float | None = None):
        deadline = monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                conn = super().getconn(timeout=max(0.001, min(deadline - monotonic(), _LOOK_EVERY)))
            except PoolTimeout:
                if self.database_away:
                    raise PoolTimeout("the database does not answer") from None
                if monotonic() >= deadline:
                    raise
                continue  # a busy pool, a healthy database: wait on
            if self._alive(conn):
                return conn
            # Closed, it is replaced by a new connection in the background; take the next one.
            conn.close()
            super().putconn(conn)

    def _add_connection(self, attempt, growing: bool = False) -> None:
        super()._add_connection(attempt or _QuickAttempt(timeout=self.reconnect_timeout), growing=growing)

    def putconn(self, conn) -> None:
        conn._returned_at = monotonic()
        super().putconn(conn)

    def _alive(self, conn) -> bool:
        if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
            return False
        if _server_said_goodbye(conn):
            return False
        idle_since = getattr(conn, "_returned_at", None) or getattr(conn, "_created_at", monotonic())
        if monotonic() - idle_since > self.idle_check_seconds:
            try:
                self.check_connection(conn)
            except Exception:
                return False
        return True


class DatabaseWrapper(base.DatabaseWrapper):
    """``ENGINE = "core.postgres"``: the stock backend, with ``FailFastPool`` as its pool. The pool's
    options come from ``OPTIONS["pool"]`` as with the stock backend (config/settings.py)."""

    @property
    def pool(self):
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == base.NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise base.ImproperlyConfigured("Pooling doesn't support persistent connections.")
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # as Django's own pool: it sets autocommit itself later
            pool = FailFastPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                **({} if pool_options is True else pool_options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]

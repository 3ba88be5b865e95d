"""Is a job worker alive? A heartbeat the workers write into the queue's own storage.

Every running consumer beats when it starts and then once a minute (a periodic job,
``core/tasks.py``): the time of the last beat is kept under one key of Huey's result store, so it
lives wherever the queue lives (the SQLite file, or Redis) and needs no table. A queue whose last
beat is older than ``STALE_AFTER`` seconds has no live consumer: emails and reminders wait.
``manage.py check_jobs`` and ``/readyz`` (``"jobs"``) report it.
"""

import time

from huey.contrib.djhuey import HUEY

KEY = "cm:jobs:heartbeat"
STALE_AFTER = 150.0  # the minute of the periodic beat, with room for a queue busy with other jobs


def beat() -> None:
    HUEY.put(KEY, time.time())


def age() -> float | None:
    """Seconds since the last beat, or None if no worker has ever beaten (or the store is away)."""
    try:
        last = HUEY.get(KEY, peek=True)
    except Exception:
        return None
    return None if last is None else max(time.time() - float(last), 0.0)


def status() -> str:
    seconds = age()
    return "ok" if seconds is not None and seconds <= STALE_AFTER else "no live worker"

"""``manage.py run_jobs``: the job worker (``manage.py run_huey``), started again whenever it dies.

`make serve` and `make run` use it. A worker that exits or is killed (SIGKILL, the OOM killer) is
logged with its exit status and started again after a pause (one second, doubling up to a
minute while it keeps dying within ten seconds of its start). SIGTERM or SIGINT is passed on to
the worker, which finishes its jobs, and then the supervisor exits too. Any further arguments go
to ``run_huey`` (``manage.py run_jobs -- --no-periodic``).
"""

import logging
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

logger = logging.getLogger("jobs.supervisor")

QUICK_DEATH = 10.0  # a worker that dies this soon after its start is crash-looping: back off
MAX_PAUSE = 60.0


class Command(BaseCommand):
    help = "Run the job worker (run_huey) and start it again whenever it dies."

    def add_arguments(self, parser):
        parser.add_argument("--pause", type=float, default=1.0, help="seconds before a dead worker is started again")
        parser.add_argument("huey_args", nargs="*", help="arguments for run_huey")

    def handle(self, *args, pause: float, huey_args: list[str], **options):
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_huey", *huey_args]
        state = {"stopping": False, "child": None}

        def stop(signum, frame):
            state["stopping"] = True
            if state["child"] is not None and state["child"].poll() is None:
                state["child"].send_signal(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        wait = pause
        while not state["stopping"]:
            started = time.monotonic()
            child = state["child"] = subprocess.Popen(command)
            logger.warning("job worker started (pid %s)", child.pid)
            code = child.wait()
            if state["stopping"]:
                break
            lived = time.monotonic() - started
            wait = min(wait * 2, MAX_PAUSE) if lived < QUICK_DEATH else pause
            how = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
            logger.error("job worker (pid %s) %s after %.0f s; starting it again in %.0f s", child.pid, how, lived, wait)
            deadline = time.monotonic() + wait
            while not state["stopping"] and time.monotonic() < deadline:
                time.sleep(0.1)
        logger.warning("job supervisor stopping")

"""The job worker is supervised (`manage.py run_jobs`, which `make serve` and `make run` use) and
a queue with no live worker is reported (`manage.py check_jobs`, `/readyz`), issue #27.

A real supervisor in a subprocess, against the queue storage of this pass and the test database:
its worker is killed with SIGKILL, the supervisor logs it and starts another, and an email queued
after the kill is still delivered to a real SMTP server.
"""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from huey.contrib.djhuey import HUEY

from accounts.services import notify
from core import jobhealth
from tests.factories import UserFactory
from tests.reach.smtp import SmtpServer
from tests.reach.test_worker import ROOT, Worker, real_queue, wait_for  # noqa: F401 - real_queue is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


def started_pids(log_path) -> list[int]:
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return [int(p) for p in re.findall(r"job worker started \(pid (\d+)\)", f.read())]


def test_a_killed_job_worker_is_started_again_logged_and_keeps_sending(real_queue, tmp_path):
    HUEY.delete(jobhealth.KEY)
    with pytest.raises(CommandError, match="no live job worker"):
        call_command("check_jobs")
    person = UserFactory(email="sun@example.org")
    log_path = tmp_path / "supervisor.log"
    with SmtpServer() as smtp, open(log_path, "wb") as log:
        env = Worker(smtp.port).env
        supervisor = subprocess.Popen(
            [sys.executable, "manage.py", "run_jobs", "--pause", "0.2", "--", "--workers", "1", "--worker-type", "thread", "--delay", "0.1", "--max-delay", "0.5"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )
        try:
            assert wait_for(lambda: started_pids(log_path), 30), "the supervisor started no worker"
            [first] = started_pids(log_path)
            assert wait_for(lambda: jobhealth.age() is not None, 30), "the worker wrote no heartbeat"
            call_command("check_jobs")  # alive

            os.kill(first, signal.SIGKILL)
            assert wait_for(lambda: len(started_pids(log_path)) == 2, 30), "the killed worker was not started again"
            second = started_pids(log_path)[1]
            assert second != first
            assert f"job worker (pid {first}) killed by signal 9" in log_path.read_text(errors="replace")

            with transaction.atomic():
                notify(user=person, kind="claim_verified", message="重启后的邮件")
            assert wait_for(lambda: smtp.messages, 30), "the restarted worker sent nothing"
            assert "重启后的邮件" in smtp.messages[0]["Subject"]
        finally:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=30)
    # SIGTERM reached the worker too: nothing is left running.
    for pid in started_pids(log_path):
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower(), f"worker {pid} outlived its supervisor"


def test_check_jobs_says_when_the_last_heartbeat_is_old(real_queue):
    HUEY.put(jobhealth.KEY, time.time() - jobhealth.STALE_AFTER - 5)
    with pytest.raises(CommandError, match="no live job worker"):
        call_command("check_jobs")
    assert jobhealth.status() == "no live worker"
    jobhealth.beat()
    call_command("check_jobs")
    assert jobhealth.status() == "ok"

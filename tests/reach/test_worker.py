"""The real job runner: `manage.py run_huey` in a subprocess, against the queue storage of this pass
(SQLite file on the embedded default, Redis with REDIS_URL) and the test database.

- an email enqueued by the site is sent by the worker to a real SMTP server on loopback;
- a worker killed while it sends an email: after a restart the email arrives exactly once;
- reminders are sent by the worker's own sweep, once, however often it restarts.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accounts.models import Notification
from accounts.services import notify
from orders.models import Claim
from orders.services import claim_create
from reach.models import OutboundEmail, Reminder
from tests.factories import UserFactory
from tests.reach.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """One `run_huey` process with one worker thread, sending mail to ``smtp_port``."""

    def __init__(self, smtp_port: int, **env):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": _database_url(),
            "HUEY_IMMEDIATE": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "20",
            "EMAIL_SEND_LEASE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread", "--delay", "0.1", "--max-delay", "0.5"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def real_queue(settings):
    """The site enqueues into the real storage (not the inline test mode) for this test."""
    # The test settings use EMAIL_BACKEND locmem; the worker reads EMAIL_HOST from its environment.
    HUEY.immediate = False
    HUEY.flush()
    workers = []
    yield workers
    for w in workers:
        w.kill()
    HUEY.flush()
    HUEY.immediate = True


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_sends_an_enqueued_email_to_a_real_smtp_server(real_queue):
    person = UserFactory(email="zhao@example.org")
    with SmtpServer() as smtp:
        real_queue.append(Worker(smtp.port).start())
        with transaction.atomic():
            notify(user=person, kind="claim_verified", message="您的服务已核实")
        assert wait_for(lambda: smtp.messages), "the worker sent nothing"
        time.sleep(0.5)
        assert len(smtp.messages) == 1 and "您的服务已核实" in smtp.messages[0]["Subject"]
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == ("sent", 1)


def test_a_worker_killed_while_sending_leaves_the_email_to_be_sent_once_after_the_restart(real_queue):
    person = UserFactory(email="qian@example.org")
    with SmtpServer() as smtp:
        smtp.inbox.hold = True  # the first delivery hangs: the worker dies in the middle of it
        first = Worker(smtp.port).start()
        real_queue.append(first)
        with transaction.atomic():
            notify(user=person, kind="claim_verified", message="被中断的邮件")
        assert smtp.inbox.held.wait(30), "the worker never started sending"
        first.kill()
        smtp.inbox.released.set()
        email = OutboundEmail.objects.get()
        assert email.status == "pending" and smtp.messages == []
        # The killed worker's hold on the email expires (2 s here); the restarted worker catches up.
        time.sleep(2.2)
        real_queue.append(Worker(smtp.port).start())
        assert wait_for(lambda: smtp.messages), "the restarted worker did not send it"
        time.sleep(1.0)
        assert len(smtp.messages) == 1 and "被中断的邮件" in smtp.messages[0]["Subject"]
    email.refresh_from_db()
    assert email.status == "sent"


def test_the_worker_reminds_once_across_restarts(real_queue, make_task, volunteer):
    start = timezone.now() + timedelta(minutes=30)
    task = make_task(starts_at=start, ends_at=start + timedelta(hours=1))
    claim = claim_create(actor=volunteer, task=task)
    Claim.objects.filter(pk=claim.pk).update(created_at=timezone.now() - timedelta(hours=3))
    with SmtpServer() as smtp:
        for _run in range(2):
            worker = Worker(smtp.port, TASK_REMINDER_MINUTES="1440,60").start()
            real_queue.append(worker)
            assert wait_for(lambda: Reminder.objects.exists()), "no reminder"
            time.sleep(1.5)  # room for a second (wrong) reminder
            worker.kill()
    assert Notification.objects.filter(user=volunteer, kind="task_reminder").count() == 1
    assert list(Reminder.objects.values_list("lead_minutes", flat=True)) == [60]

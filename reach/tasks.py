"""The jobs of reach, run by the Huey workers (`make worker`, or the one `make run` starts).

Periodic jobs are sweeps of the database; the job that sends one email is also found again by
the sweep if its worker dies, so nothing depends on a job surviving in the queue."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from reach.services import digests_send, email_send, emails_due, reminders_send_due

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=30)
def send_email(email_id: int) -> bool:
    # SMTP failures are retried by the outbox with back-off (email_send); Huey's retries cover
    # anything else (the database away for a moment).
    return email_send(email_id)


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def send_due_emails() -> int:
    """Emails waiting for their (next) try, or let go by a worker that died while sending."""
    ids = emails_due()
    for email_id in ids:
        email_send(email_id)
    return len(ids)


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def send_reminders() -> int:
    count = reminders_send_due()
    if count:
        log.info("sent %s task reminder(s)", count)
    return count


# 00:00 UTC is 08:00 in Asia/Shanghai: the digest arrives with the morning.
@db_periodic_task(crontab(minute="0", hour="0"), retries=2, retry_delay=60)
def send_digests() -> int:
    ids = digests_send()
    for email_id in ids:
        email_send(email_id)
    return len(ids)


@on_startup()
def _catch_up():
    # A restarted worker does at once what a killed one left undone, not at the next minute.
    send_due_emails()
    send_reminders()

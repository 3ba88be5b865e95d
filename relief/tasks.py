"""The daily reminder to staff of assistance applications that wait too long."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from relief.services import reminders_send


@db_periodic_task(crontab(minute="0", hour="1"), retries=2, retry_delay=60)  # 09:00 in China (UTC+8)
def remind_waiting_applications():
    return reminders_send()

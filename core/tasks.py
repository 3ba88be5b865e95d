"""The heartbeat of the job workers (core/jobhealth.py): at start, then every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from core import jobhealth


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    jobhealth.beat()


@on_startup()
def _beat_at_start():
    jobhealth.beat()

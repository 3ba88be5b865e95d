"""points' scheduled job, run by the Huey workers: the same service as `manage.py expire_redemptions`."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from points.services import redemptions_expire


# Every 5 minutes; each reservation is closed once, so a run lost with a worker is harmless.
@db_periodic_task(crontab(minute="*/5"), retries=2, retry_delay=30)
def expire_redemptions() -> int:
    return redemptions_expire()

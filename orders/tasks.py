"""orders' scheduled job, run by the Huey workers: the same service as `manage.py mark_no_shows`."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from orders.services import claims_mark_no_shows


# Every 5 minutes; safe to run twice or alongside the site, so a run lost with a worker is harmless.
@db_periodic_task(crontab(minute="*/5"), retries=2, retry_delay=30)
def mark_no_shows() -> tuple[int, int]:
    return claims_mark_no_shows()

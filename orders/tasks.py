"""orders' scheduled jobs, run by the Huey workers: no-shows (the same service as `manage.py
mark_no_shows`) and the purge of bid attachments kept for a refused form."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from orders.services import bid_drafts_purge, claims_mark_no_shows


# Every 5 minutes; safe to run twice or alongside the site, so a run lost with a worker is harmless.
@db_periodic_task(crontab(minute="*/5"), retries=2, retry_delay=30)
def mark_no_shows() -> tuple[int, int]:
    return claims_mark_no_shows()


# Hourly: a refused bid form's attachment is kept for a day, then deleted (issue #36.4).
@db_periodic_task(crontab(minute="17"), retries=2, retry_delay=60)
def purge_bid_drafts() -> int:
    return bid_drafts_purge()

"""``manage.py check_jobs``: exits 1 (and says so) when the queue has no live job worker, that is
when no worker has written its heartbeat for ``core.jobhealth.STALE_AFTER`` seconds. For cron or
a monitoring probe; ``/readyz`` shows the same under ``"jobs"``."""

from django.core.management.base import BaseCommand, CommandError

from core import jobhealth


class Command(BaseCommand):
    help = "Exit 1 when no job worker has beaten its heartbeat recently."

    def handle(self, *args, **options):
        seconds = jobhealth.age()
        if seconds is None or seconds > jobhealth.STALE_AFTER:
            last = "never" if seconds is None else f"{seconds:.0f} s ago"
            raise CommandError(f"no live job worker: the last heartbeat was {last}; emails and reminders are waiting")
        self.stdout.write(f"job worker alive: last heartbeat {seconds:.0f} s ago")

"""Claims never checked in by the end of their task become no-shows; open tasks that ended with
nobody checked in expire. Safe from cron, safe to run twice."""

from django.core.management.base import BaseCommand

from orders.services import claims_mark_no_shows


class Command(BaseCommand):
    help = "Mark no-shows and expire ended tasks nobody delivered."

    def handle(self, *args, **options):
        no_shows, expired = claims_mark_no_shows()
        self.stdout.write(f"{no_shows} no-show(s), {expired} task(s) expired")

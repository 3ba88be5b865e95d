"""Expire reward reservations not picked up in time; points and stock go back. Safe from cron,
and safe to run twice or alongside the site: each reservation is closed once."""

from django.core.management.base import BaseCommand

from points.services import redemptions_expire


class Command(BaseCommand):
    help = "Expire reservations past their pickup time, returning points and stock."

    def handle(self, *args, **options):
        count = redemptions_expire()
        self.stdout.write(f"expired {count} reservation(s)")

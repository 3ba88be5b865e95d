"""Prove the dashboards' rollups equal a recount from the raw tables: exit 0 when they do, 1 with
the differences when they do not; ``--repair`` then rewrites every rollup row from the recount."""

from django.core.management.base import BaseCommand

from dashboards import rollups
from dashboards.models import CommunityMonth, VolunteerMonth


class Command(BaseCommand):
    help = "Check that the dashboard rollups equal a recount (exit code 1 and the differences when not); --repair rewrites them."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Rewrite the rollups from the recount after reporting the differences.")

    def handle(self, *args, **options):
        problems = rollups.differences()
        if problems:
            self.stderr.write(self.style.ERROR(f"rollup audit FAILED: {len(problems)} difference(s)"))
            for line in problems[:200]:
                self.stderr.write(f"  - {line}")
            if len(problems) > 200:
                self.stderr.write(f"  … and {len(problems) - 200} more")
            if options["repair"]:
                written = rollups.rebuild()
                self.stdout.write(self.style.WARNING(f"rollups repaired: {written} community months rewritten from the recount"))
            raise SystemExit(1)
        self.stdout.write(
            self.style.SUCCESS(f"rollup audit OK: {CommunityMonth.objects.count()} community months and {VolunteerMonth.objects.count()} volunteer months equal the recount")
        )

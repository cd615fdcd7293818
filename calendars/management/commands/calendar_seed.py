from django.core.management.base import BaseCommand
from django.utils import timezone

from calendars.services import calendar_seed


class Command(BaseCommand):
    help = "Seed the working calendar from holidays.VN (this year and the next two by default). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="years to seed, e.g. 2026 2027")

    def handle(self, *args, years, **options):
        if not years:
            this = timezone.localdate().year
            years = [this, this + 1, this + 2]
        counts = calendar_seed(years=years)
        self.stdout.write(
            "calendar_seed {years}: {created} added, {updated} refreshed, {deleted} dropped".format(
                years=",".join(map(str, years)), **counts
            )
        )

import datetime

from django.core.management.base import BaseCommand

from dashboard.services import figures_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's daily figures from the dossiers (all days, or from --since YYYY-MM-DD)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, since=None, **options):
        rows = figures_rebuild(since=since)
        self.stdout.write(f"{rows} daily figure rows written")

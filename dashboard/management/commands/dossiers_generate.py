from django.core.management.base import BaseCommand

from dashboard.generator import dossiers_generate


class Command(BaseCommand):
    help = "Add N realistic dossiers (timelines, hand-backs, ratings) over the last year, across centres."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch", type=int, default=20_000)

    def handle(self, *args, count, days, seed, batch, **options):
        written = dossiers_generate(
            count=count,
            days=days,
            seed=seed,
            batch=batch,
            progress=lambda n: self.stdout.write(f"{n} dossiers", ending="\r"),
        )
        self.stdout.write(f"\n{written} dossiers generated; daily figures rebuilt")

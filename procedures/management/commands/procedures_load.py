from django.core.management.base import BaseCommand

from procedures.services import CATALOGUE_FILE, procedures_load


class Command(BaseCommand):
    help = "Load the procedure catalogue and e-form definitions from procedures/data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(CATALOGUE_FILE))

    def handle(self, *args, path, **options):
        procedures = procedures_load(path=path)
        self.stdout.write(f"{len(procedures)} procedures loaded")

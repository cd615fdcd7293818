from pathlib import Path

from django.core.management.base import BaseCommand

from divisions.services import divisions_load


class Command(BaseCommand):
    help = "Load or update a province's wards and former-ward mapping from a YAML file (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        province = divisions_load(path=path)
        wards, former = province.wards.count(), province.former_wards.count()
        self.stdout.write(self.style.SUCCESS(f"{province.name}: {wards} wards, {former} former wards."))

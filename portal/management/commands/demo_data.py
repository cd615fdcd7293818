from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = (
        "Load the demo dataset (Hanoi wards, centres, agencies, residents, demo accounts). Safe to run twice."
    )

    def handle(self, *args, **options):
        accounts = demo_data_load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<18} {account.role:<15} {account.full_name:<16} {account.description}"
            )

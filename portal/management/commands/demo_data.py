from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, PEOPLE, demo_data_load

PUBLIC_PASSWORDS_FLAG = "--i-know-the-passwords-are-public"


class Command(BaseCommand):
    help = (
        "Load the demo dataset (Hanoi wards, centres, agencies, residents, demo accounts). "
        f"Safe to run twice. Refused when DEBUG is off unless {PUBLIC_PASSWORDS_FLAG} is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            PUBLIC_PASSWORDS_FLAG,
            action="store_true",
            dest="passwords_public",
            help="Load it even with DEBUG off (a bench or a staging copy): every demo account's "
            "password is printed here and in the repository.",
        )
        parser.add_argument(
            "--people",
            type=int,
            default=PEOPLE,
            help=f"Residents in the population registry (default {PEOPLE}; the first {PEOPLE} are always "
            "the same). A bench that files for thousands of applicants asks for more: a resident may "
            "file only for herself or her children under 18.",
        )

    def handle(self, *args, **options):
        # The demo accounts (staff with every role, a supervisor of the whole city) share one password
        # that is in the repository: loaded into production, anyone could sign in as any of them.
        if not settings.DEBUG and not options["passwords_public"]:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts' password is public. "
                f"Refusing to load the demo data. If this really is a test copy, add {PUBLIC_PASSWORDS_FLAG}."
            )
        accounts = demo_data_load(people=options["people"])
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not settings.DEBUG:
            self.stderr.write(
                self.style.ERROR(
                    "WARNING: DEBUG is off and the demo accounts are loaded. Their password is PUBLIC "
                    f"({DEMO_PASSWORD!r}, printed below and written in the repository): anyone can sign in "
                    "as these staff and citizens. Never do this on a server that serves the public."
                )
            )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<18} {account.role:<15} {account.full_name:<16} {account.description}"
            )

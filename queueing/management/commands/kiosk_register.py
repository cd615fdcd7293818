"""`manage.py kiosk_register <centre-code> <name>`: register a kiosk, print its secrets once."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from queueing.kiosks import kiosk_register
from queueing.selectors import centre_by_code


class Command(BaseCommand):
    help = "Register a ticket kiosk of a centre; prints its API token and a one-time registration link once."

    def add_arguments(self, parser):
        parser.add_argument("centre_code")
        parser.add_argument("name")

    def handle(self, *args, centre_code, name, **options):
        centre = centre_by_code(centre_code)
        if centre is None:
            raise CommandError(f"No centre with code {centre_code}.")
        registered = kiosk_register(centre=centre, name=name)
        link = settings.SITE_URL.rstrip("/") + reverse(
            "queueing:kiosk_register", args=[centre.code, registered.link_key]
        )
        self.stdout.write(
            f"Kiosk {registered.kiosk.pk} '{registered.kiosk.name}' of {centre.code} registered."
        )
        self.stdout.write("Shown once, never stored (only their SHA-256 digests are):")
        self.stdout.write(f"  API token (Authorization: Bearer …): {registered.token}")
        hours = settings.QUEUEING_KIOSK_LINK_HOURS
        self.stdout.write(f"  Registration link (open once on the kiosk, valid {hours} h): {link}")

"""`manage.py kiosk_register <centre-code> <name> [--board]`: register a kiosk (or a display board),
print its secrets once."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from queueing.kiosks import kiosk_register
from queueing.models import Kiosk
from queueing.selectors import centre_by_code


class Command(BaseCommand):
    help = (
        "Register a ticket kiosk (or, with --board, a display board) of a centre; prints its "
        "one-time registration link (and a kiosk's API token) once."
    )

    def add_arguments(self, parser):
        parser.add_argument("centre_code")
        parser.add_argument("name")
        parser.add_argument(
            "--board", action="store_true", help="a display board (shows the calls; no API token)"
        )

    def handle(self, *args, centre_code, name, board, **options):
        centre = centre_by_code(centre_code)
        if centre is None:
            raise CommandError(f"No centre with code {centre_code}.")
        role = Kiosk.Role.BOARD if board else Kiosk.Role.KIOSK
        registered = kiosk_register(centre=centre, name=name, role=role)
        url_name = "queueing:board_register" if board else "queueing:kiosk_register"
        link = settings.SITE_URL.rstrip("/") + reverse(url_name, args=[centre.code, registered.link_key])
        what = "Display board" if board else "Kiosk"
        device = registered.kiosk
        self.stdout.write(f"{what} {device.pk} '{device.name}' of {centre.code} registered.")
        self.stdout.write("Shown once, never stored (only their SHA-256 digests are):")
        if registered.token:
            self.stdout.write(f"  API token (Authorization: Bearer …): {registered.token}")
        hours = settings.QUEUEING_KIOSK_LINK_HOURS
        self.stdout.write(f"  Registration link (open once on the {what.lower()}, valid {hours} h): {link}")
        self.stdout.write(f"Revoke it with: manage.py kiosk_revoke {device.pk}")

"""`manage.py kiosk_revoke <id>`: a kiosk or display board stops working (its cookie, link and token)."""

from django.core.management.base import BaseCommand, CommandError

from queueing.kiosks import kiosk_revoke
from queueing.models import Kiosk


class Command(BaseCommand):
    help = "Revoke a registered kiosk or display board (the id kiosk_register printed)."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)

    def handle(self, *args, id, **options):
        device = Kiosk.objects.filter(pk=id).first()
        if device is None:
            raise CommandError(f"No kiosk or display board with id {id}.")
        device = kiosk_revoke(kiosk=device)
        self.stdout.write(f"{device.get_role_display()} {device.pk} '{device.name}' revoked.")

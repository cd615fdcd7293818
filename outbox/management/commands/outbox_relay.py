import logging
import signal

from django.core.management.base import BaseCommand

from outbox.relay import Relay


class Command(BaseCommand):
    help = (
        "Carry on what transactions wrote (enter filed dossiers, publish hand-offs) as soon as they "
        "commit. Run one per machine or more; they share the work. Stops on SIGTERM or Ctrl-C."
    )

    def handle(self, *args, **options):
        logging.getLogger("outbox").info("relay starting")
        relay = Relay()
        signal.signal(signal.SIGTERM, relay.stop)
        signal.signal(signal.SIGINT, relay.stop)
        relay.run()

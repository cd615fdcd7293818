from django.core.management.base import BaseCommand

from routing.processes import routing_load


class Command(BaseCommand):
    help = "Load the processes and routing rules from routing/data/processes.yaml (idempotent)."

    def handle(self, *args, **options):
        processes = routing_load()
        self.stdout.write(f"{len(processes)} processes loaded")

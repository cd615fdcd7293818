"""Queue services and the counters that serve them, for every demo centre (idempotent)."""

from __future__ import annotations

from pathlib import Path

import yaml

from agencies.models import Centre

from .kiosks import kiosk_demo_arm
from .models import Counter, Kiosk, QueueService

SERVICES_FILE = Path(__file__).resolve().parent / "data" / "services.yaml"


def queueing_demo_load(centres: list[Centre] | None = None, path: Path = SERVICES_FILE) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for centre in centres if centres is not None else Centre.objects.all():
        for position, item in enumerate(data["services"], start=1):
            service, _ = QueueService.objects.update_or_create(
                centre=centre,
                letter=item["letter"],
                defaults={
                    "name": item["name"],
                    "procedure_codes": item.get("procedure_codes", []),
                    "position": position,
                    "active": True,
                },
            )
            service.counters.set(Counter.objects.filter(centre=centre, number__in=item.get("counters", [])))
        kiosk_demo_arm(centre=centre)
        kiosk_demo_arm(centre=centre, role=Kiosk.Role.BOARD)

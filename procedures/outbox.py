"""Filing's part of the outbox: a dossier filed but not yet entered in the books is waiting work
(its `entered_at` is empty), so filing writes nothing more than the dossier itself."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import services
from .models import Dossier


class DossiersToEnter(Source):
    name = "dossiers_to_enter"
    in_workers = True

    def drain(self, *, limit: int) -> int:
        return services.dossiers_enter(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        return (
            Dossier.objects.filter(entered_at__isnull=True)
            .order_by("received_at")
            .values_list("received_at", flat=True)
            .first()
        )

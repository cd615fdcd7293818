"""Routing's part of the outbox: hand-offs due for delivery. A routing worker delivers them in
batches (`handoffs.handoffs_deliver`), many workers side by side; the relay only rings the bell."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import handoffs


class HandoffsToDeliver(Source):
    name = "handoffs"
    in_workers = True

    def drain(self, *, limit: int) -> int:
        return handoffs.handoffs_deliver(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        return handoffs.handoffs_due().order_by("created_at").values_list("created_at", flat=True).first()

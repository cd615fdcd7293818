"""Routing's part of the outbox: hand-offs written but not yet published, or published and not
processed for longer than their republish delay (a broker that lost its queue, a worker killed
before it acknowledged)."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import services
from .models import OutboxMessage


class HandoffsToPublish(Source):
    name = "handoffs"

    def drain(self, *, limit: int) -> int:
        return services.outbox_sweep(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        return (
            OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )

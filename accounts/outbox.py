"""Recovery's part of the outbox: a recovery request is recorded by the page and its code sent by a
worker, so the page does the same work whether or not the number has an account."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import services
from .models import RecoveryRequest


class RecoveryCodesToSend(Source):
    name = "recovery_codes"
    # Sending calls the SMS gateway: a worker waits on it, never the relay's loop.
    in_workers = True

    def drain(self, *, limit: int) -> int:
        return services.recovery_codes_send(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        return RecoveryRequest.objects.order_by("created_at").values_list("created_at", flat=True).first()

"""Notifications' part of the outbox: a queued notification whose attempt is due. The outbox relay
rings the notifications' workers, which send a batch (`services.notifications_deliver`); a retry is
the same row with a later `next_attempt_at`."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import services


class NotificationsToSend(Source):
    name = "notifications"
    in_workers = True
    queue = "notifications"
    # Sending waits on SMTP and the SMS gateway: while the broker is down they wait in their table,
    # never in the relay's loop.
    relay_drains_while_broker_down = False

    def drain(self, *, limit: int) -> int:
        return services.notifications_deliver(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        # Since when the longest-due attempt has been due: a retry written an hour ago and due now
        # is not an hour late.
        return services.notifications_due().values_list("next_attempt_at", flat=True).first()

"""Documents' part of the outbox: a document requested and still without its PDF. The outbox relay
rings the documents' workers, which render a few at a time (`services.documents_generate`)."""

from __future__ import annotations

import datetime

from outbox.base import Source

from . import services


class DocumentsToGenerate(Source):
    name = "documents"
    in_workers = True
    queue = "documents"
    # Rendering is CPU-heavy: while the broker is down the documents wait for their workers rather
    # than slow the relay that enters filings.
    relay_drains_while_broker_down = False
    # A PDF takes a few hundred milliseconds: ten keep a task to seconds, so the documents queue's
    # heartbeat (behind it, with one worker process) never goes stale.
    batch = 10

    def drain(self, *, limit: int) -> int:
        return services.documents_generate(limit=limit)

    def oldest_waiting(self) -> datetime.datetime | None:
        return services.documents_due().values_list("created_at", flat=True).first()

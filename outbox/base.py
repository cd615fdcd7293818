"""The interface of a relay source: one kind of work that is written in a transaction (a dossier
filed, a hand-off put in the outbox) and must be carried on after it commits."""

from __future__ import annotations

import datetime


class Source:
    """A source of work for the relay. Each app that owns such work provides one, named in
    settings.OUTBOX_SOURCES, in the order the relay drains them (entering dossiers writes hand-offs,
    so it comes before publishing them)."""

    #: a short name for logs and the status page
    name: str = ""
    #: Work heavy enough to spread over the workers (entering a dossier writes a dozen rows): the
    #: relay asks a worker to drain it rather than drain it in its own loop.
    in_workers: bool = False
    #: Which workers drain it: a kind of settings.QUEUES_BY_KIND. The relay rings each queue's bell
    #: (one `outbox.drain` task) separately, so a burst of PDFs never holds up a hand-off.
    queue: str = "routing"
    #: While the broker is unreachable, the relay does this source's work itself (on its threads):
    #: filings must reach their inboxes. A source whose work is CPU-heavy (PDFs) or waits on other
    #: systems (SMTP, SMS gateways, other agencies) says False and waits in its table instead: a
    #: relay that rendered PDFs or waited on a gateway would fall behind the filings.
    relay_drains_while_broker_down: bool = True
    #: Items per batch when not OUTBOX_BATCH: a worker's task is one batch of each source of its
    #: queue, and must end within seconds, or the queue's heartbeat goes stale behind it.
    batch: int | None = None

    def drain(self, *, limit: int) -> int:
        """Do at most `limit` items of waiting work in bounded transactions; return how many were
        done. Safe to call from several processes at once and to call again after a crash: an item
        is done once whoever does it."""
        raise NotImplementedError

    def oldest_waiting(self) -> datetime.datetime | None:
        """When the oldest item still waiting was written, or None: the status page's outbox age."""
        raise NotImplementedError

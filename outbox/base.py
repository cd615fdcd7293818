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
    #: relay asks a worker to drain it, and drains it itself only while the broker is unreachable.
    in_workers: bool = False

    def drain(self, *, limit: int) -> int:
        """Do at most `limit` items of waiting work in bounded transactions; return how many were
        done. Safe to call from several processes at once and to call again after a crash: an item
        is done once whoever does it."""
        raise NotImplementedError

    def oldest_waiting(self) -> datetime.datetime | None:
        """When the oldest item still waiting was written, or None: the status page's outbox age."""
        raise NotImplementedError

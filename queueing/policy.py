"""Who is called next: the fairness policy, in one function.

Priority citizens (people with disabilities, the elderly, pregnant women, people with merit)
are served first, as the one-stop rules require; but a steady stream of them must never starve
an ordinary citizen. The rule is aging by waiting time: a priority ticket counts as if it had
been taken `priority_head_start` earlier. An ordinary ticket that has waited longer than the
head start is therefore called before any priority ticket taken after it. A checked-in
appointment counts from the start of its slot (or its check-in, whichever is earlier) minus the
same head start, so it goes ahead of walk-ins who came during its slot.

The result is a timestamp stored on the ticket (`Ticket.rank_at`) and indexed: calling the next
ticket is one ordered, row-locked query, and a transfer keeps the place by keeping the key.
"""

from __future__ import annotations

import datetime

from django.conf import settings


def priority_head_start() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.QUEUEING_PRIORITY_HEAD_START_MINUTES)


def queue_rank(
    *,
    issued_at: datetime.datetime,
    priority: str = "",
    appointment_start: datetime.datetime | None = None,
    head_start: datetime.timedelta | None = None,
) -> datetime.datetime:
    """The sort key of a waiting ticket: the smallest is called first (ties: the earlier ticket)."""
    head_start = priority_head_start() if head_start is None else head_start
    rank = issued_at
    if appointment_start is not None:
        rank = min(rank, appointment_start) - head_start
    if priority:
        rank -= head_start
    return rank

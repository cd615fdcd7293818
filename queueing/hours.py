"""Opening hours of a centre, in its local time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agencies.models import Centre

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_now(now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(LOCAL)


def local_day(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LOCAL).date()


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    # When closed: the start of the next session within a fortnight (None if the centre has none).
    opens_at: datetime.datetime | None = None


def opening_status(centre: Centre, now: datetime.datetime, sessions=None) -> OpeningStatus:
    """Open now, or when it next opens. `sessions` may be passed to avoid a query."""
    if sessions is None:
        sessions = list(centre.opening_sessions.all())
    here = local_now(now)
    for offset in range(15):
        day = here.date() + datetime.timedelta(days=offset)
        for session in sorted((s for s in sessions if s.weekday == day.weekday()), key=lambda s: s.opens):
            opens = datetime.datetime.combine(day, session.opens, tzinfo=LOCAL)
            closes = datetime.datetime.combine(day, session.closes, tzinfo=LOCAL)
            if offset == 0 and opens <= here < closes:
                return OpeningStatus(is_open=True)
            if opens > here:
                return OpeningStatus(is_open=False, opens_at=opens)
    return OpeningStatus(is_open=False)

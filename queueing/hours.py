"""Opening hours of a centre, in its local time (Asia/Ho_Chi_Minh), on the working calendar.

A centre's weekly sessions (`OpeningSession`) apply on ordinary days. The working calendar
(`calendars.clock`) overrides them: on a day off (a public holiday, a substituted day off) the
centre is closed, even on a weekday or a Saturday it usually opens; on a compensatory working
day (a Saturday worked back) it opens with its Monday sessions — the day is worked as an
ordinary weekday, and Monday is the weekday every centre opens in full.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agencies.models import Centre
from calendars import clock

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = 0


def local_now(now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(LOCAL)


def local_day(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LOCAL).date()


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    # When closed: the start of the next session within a fortnight (None if the centre has none).
    opens_at: datetime.datetime | None = None


def opening_weekday(day: datetime.date) -> int | None:
    """Whose weekly sessions apply on `day`: its own weekday, Monday's on a compensatory working
    day, None (closed) on a day off in the working calendar."""
    exception = clock.exception_on(day)
    if exception == clock.DAY_OFF:
        return None
    if exception is not None:  # a compensatory working day
        return MONDAY
    return day.weekday()


def opening_status(centre: Centre, now: datetime.datetime, sessions=None) -> OpeningStatus:
    """Open now, or when it next opens. `sessions` may be passed to avoid a query."""
    if sessions is None:
        sessions = list(centre.opening_sessions.all())
    here = local_now(now)
    for offset in range(15):
        day = here.date() + datetime.timedelta(days=offset)
        weekday = opening_weekday(day)
        for session in sorted((s for s in sessions if s.weekday == weekday), key=lambda s: s.opens):
            opens = datetime.datetime.combine(day, session.opens, tzinfo=LOCAL)
            closes = datetime.datetime.combine(day, session.closes, tzinfo=LOCAL)
            if offset == 0 and opens <= here < closes:
                return OpeningStatus(is_open=True)
            if opens > here:
                return OpeningStatus(is_open=False, opens_at=opens)
    return OpeningStatus(is_open=False)

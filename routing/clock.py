"""Working-time arithmetic for routing, through the shared calendar.

`calendars.clock` (the working calendar) is the one place for this; until it is merged this
module carries a minimal stand-in with the same names and the same rules (sessions 07:30–11:30
and 13:00–17:00 local time on working days of `procedures.deadlines`). Delete the fallback when
`calendars` lands.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

try:  # pragma: no cover - chosen by what is installed
    from calendars.clock import WORKING_DAY, add_working_time, remaining_label, working_time_between
except ImportError:  # the stand-in
    from procedures.deadlines import is_working_day

    WORKING_DAY = datetime.timedelta(hours=8)
    _SESSIONS = ((datetime.time(7, 30), datetime.time(11, 30)), (datetime.time(13), datetime.time(17)))

    def _sessions(day: datetime.date):
        if not is_working_day(day):
            return []
        tz = timezone.get_default_timezone()
        return [
            (
                datetime.datetime.combine(day, opens, tzinfo=tz),
                datetime.datetime.combine(day, closes, tzinfo=tz),
            )
            for opens, closes in _SESSIONS
        ]

    def add_working_time(start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        local = timezone.localtime(start)
        remaining = duration
        day = local.date()
        if remaining <= datetime.timedelta(0):
            return start
        while True:
            for opens, closes in _sessions(day):
                begin = max(opens, local)
                if begin >= closes:
                    continue
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
            day += datetime.timedelta(days=1)

    def working_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        if end < start:
            return -working_time_between(end, start)
        total = datetime.timedelta(0)
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            for opens, closes in _sessions(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
            day += datetime.timedelta(days=1)
        return total

    def remaining_label(due_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
        from django.utils.translation import gettext as _

        left = working_time_between(now or timezone.now(), due_at)
        late = left < datetime.timedelta(0)
        hours = int(abs(left).total_seconds() // 3600)
        days, hours = divmod(hours, 8)
        if late:
            return _("Quá %(days)d ngày %(hours)d giờ") % {"days": days, "hours": hours}
        return _("Còn %(days)d ngày %(hours)d giờ") % {"days": days, "hours": hours}


def dossier_due_at(dossier) -> datetime.datetime:
    """The instant the dossier's result is legally due (the one function to swap for the calendar's)."""
    try:
        from procedures.deadlines import due_at
    except ImportError:
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(dossier.due_date, datetime.time(17), tzinfo=tz)
    return due_at(dossier.received_at, working_days=dossier.procedure.time_limit_days)

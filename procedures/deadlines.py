"""When a dossier's result is due: the receipt's working-day count on the working calendar.

The calendar (weekends, public holidays and substituted days off, compensatory working
Saturdays) and the working hours live in `calendars.clock`, the one place for working time;
this module only applies the procedure rules on top of it: the day of receipt is not counted,
and the afternoon cut-off of same-day procedures.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from calendars import clock


def is_working_day(day: datetime.date) -> bool:
    return clock.is_working_day(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after `day`."""
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days after `day` (the day of receipt is not counted)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def _cutoff() -> datetime.time:
    hours, minutes = settings.PROCEDURES_SAME_DAY_CUTOFF.split(":")
    return datetime.time(int(hours), int(minutes))


def due_date(received_at: datetime.datetime, *, working_days: int) -> datetime.date:
    """The date the result is due for a dossier received at `received_at`.

    Same-day procedures (working_days=0) received after the afternoon cut-off, or
    on a day off, are due the next working day (Decree 118/2025/NĐ-CP keeps the
    "received after 15:00, returned the next working day" habit).
    """
    local = timezone.localtime(received_at)
    day = local.date()
    if working_days == 0:
        if is_working_day(day) and local.time() < _cutoff():
            return day
        return next_working_day(day)
    if not is_working_day(day):
        # A dossier filed online on a day off counts as received the next working day.
        day = next_working_day(day)
    return add_working_days(day, working_days)


def due_at(received_at: datetime.datetime, working_days: int) -> datetime.datetime:
    """The legal deadline instant: the close of the last working session of the due date."""
    return clock.day_close(due_date(received_at, working_days=working_days))

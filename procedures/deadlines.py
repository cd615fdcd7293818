"""The working-day calendar: when a dossier's result is due.

The one place for working-day arithmetic (routing between agencies extends it
with working hours and paused clocks). Weekends and the public holidays of
`holidays.VN` are off, including the days the government substitutes (a bridge
day off worked back on another day) as that package lists them.
"""

from __future__ import annotations

import datetime
from functools import cache

import holidays
from django.conf import settings
from django.utils import timezone


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.VN(years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


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

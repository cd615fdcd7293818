"""The deadline clock: working time on the national working calendar — the one place for it.

A working day is Monday–Friday unless the calendar table (`CalendarDay`) says otherwise: a
public holiday or substituted day off is off, a compensatory Saturday is worked. Working time
is counted only inside the legal sessions (07:30–11:30 and 13:00–17:00, Asia/Ho_Chi_Minh,
from `settings.CALENDAR_WORKING_SESSIONS` / `CALENDAR_TIME_ZONE`; the hours of Decision
Số 188/1999/QĐ-TTg as centres keep them), so a deadline "N working days" is N × 8 hours.

Speed: the table is read once per year per process (one query) and kept in memory; arithmetic
never queries. A change made through `calendars.services` clears this process's copy at once
and bumps a version in the shared cache, which every other process checks at most once every
`CALENDAR_RECHECK_SECONDS`; if the cache is unreachable, the copy in memory keeps serving.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
import time
import uuid
from zoneinfo import ZoneInfo

from cachetools import LRUCache, cached
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .national import DAY_OFF, national_days
from .national import WORKING_DAY as _WORKING_KIND

VERSION_KEY = "calendars:version"
# A loop that finds no working session in ten years means the calendar is broken, not busy.
_MAX_DAYS = 3660


@cached(LRUCache(maxsize=8), lock=threading.Lock())
def _parse_sessions(text: str) -> tuple[tuple[datetime.time, datetime.time], ...]:
    sessions = []
    for part in text.split(","):
        opens, closes = (datetime.time.fromisoformat(t.strip()) for t in part.split("-"))
        if opens >= closes:
            raise ValueError(f"CALENDAR_WORKING_SESSIONS: {part!r} closes before it opens")
        sessions.append((opens, closes))
    sessions.sort()
    return tuple(sessions)


def sessions() -> tuple[tuple[datetime.time, datetime.time], ...]:
    """The working sessions of a working day, in local time, in order."""
    return _parse_sessions(settings.CALENDAR_WORKING_SESSIONS)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.CALENDAR_TIME_ZONE)


def _session_length(opens: datetime.time, closes: datetime.time) -> datetime.timedelta:
    return datetime.datetime.combine(datetime.date.min, closes) - datetime.datetime.combine(
        datetime.date.min, opens
    )


def working_day_length() -> datetime.timedelta:
    return sum((_session_length(o, c) for o, c in sessions()), datetime.timedelta())


# One working day of the legal sessions: 8 hours (07:30–11:30 and 13:00–17:00).
WORKING_DAY = working_day_length()


# --- The calendar in memory --------------------------------------------------------------------

_lock = threading.Lock()
# The exceptions of each year asked for, read once (one query) and kept until the calendar changes;
# a few years at most are in use (a deadline, a statistic's range).
_years: LRUCache = LRUCache(maxsize=32)
# The shared version the years above were read at, and when this process last asked for it.
_state = {"version": None, "checked": float("-inf")}


def _shared_version():
    try:
        return cache.get(VERSION_KEY)
    except Exception:  # the cache (Redis) is down: keep serving what this process holds
        return _state["version"]


def _recheck() -> None:
    now = time.monotonic()
    if now - _state["checked"] < settings.CALENDAR_RECHECK_SECONDS:
        return
    with _lock:
        if now - _state["checked"] < settings.CALENDAR_RECHECK_SECONDS:
            return  # another thread is asking
        # Claimed before asking: while Redis does not answer, one request per interval waits for
        # the cache's socket timeout, not every request of the process.
        _state["checked"] = now
    version = _shared_version()
    with _lock:
        if version != _state["version"]:
            _years.clear()
            _state["version"] = version


@cached(_years, key=lambda year: year, lock=_lock)
def _load_year(year: int) -> dict[datetime.date, str]:
    from .models import CalendarDay

    rows = list(CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "active"))
    if not rows:
        # A year nobody seeded yet (every edit seeds its year first): the package's days, so a
        # deadline far ahead never counts a public holiday as a working day.
        return {d.date: d.kind for d in national_days(year)}
    return {day: kind for day, kind, active in rows if active}


def _exceptions(year: int) -> dict[datetime.date, str]:
    _recheck()
    return _load_year(year)


def calendar_changed() -> None:
    """Forget the calendar here and tell other processes to (call after a CalendarDay changes)."""
    with _lock:
        _years.clear()
        _state["checked"] = float("-inf")
    with contextlib.suppress(Exception):  # the cache is down: other processes catch up on its return
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def forget() -> None:
    """Drop this process's copy only (tests: the database was rolled back under it)."""
    with _lock:
        _years.clear()
        _state["version"] = None
        _state["checked"] = float("-inf")


# --- Days --------------------------------------------------------------------------------------


def exception_on(day: datetime.date) -> str | None:
    """ "day_off" or "working_day" when the calendar overrides the weekday rule, else None."""
    return _exceptions(day.year).get(day)


def is_working_day(day: datetime.date) -> bool:
    kind = exception_on(day)
    if kind is not None:
        return kind == _WORKING_KIND
    return day.weekday() < 5


def _local(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        raise ValueError("the deadline clock needs aware datetimes")
    return moment.astimezone(zone())


def _day_sessions(day: datetime.date, tz: ZoneInfo):
    if not is_working_day(day):
        return []
    return [
        (datetime.datetime.combine(day, o, tzinfo=tz), datetime.datetime.combine(day, c, tzinfo=tz))
        for o, c in sessions()
    ]


def day_close(day: datetime.date) -> datetime.datetime:
    """The end of the last working session of `day` (a deadline "by the end of that day")."""
    return datetime.datetime.combine(day, sessions()[-1][1], tzinfo=zone())


# --- Working time ------------------------------------------------------------------------------


def add_working_time(start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
    """The instant `duration` of working time after `start` (before it, if negative).

    Ending exactly at a session's close gives that close (11:30, 17:00), not the next opening.
    """
    here = _local(start)
    if duration < datetime.timedelta():
        return _subtract_working_time(here, -duration)
    left = duration
    if not left:
        return here
    tz = here.tzinfo
    day = here.date()
    for _step in range(_MAX_DAYS):
        for opens, closes in _day_sessions(day, tz):
            if closes <= here:
                continue
            begin = max(opens, here)
            span = closes - begin
            if left <= span:
                return begin + left
            left -= span
        day += datetime.timedelta(days=1)
    raise ValueError("no working time in the calendar for ten years")


def _subtract_working_time(here: datetime.datetime, left: datetime.timedelta) -> datetime.datetime:
    tz = here.tzinfo
    day = here.date()
    for _step in range(_MAX_DAYS):
        for opens, closes in reversed(_day_sessions(day, tz)):
            if opens >= here:
                continue
            end = min(closes, here)
            span = end - opens
            if left <= span:
                return end - left
            left -= span
        day -= datetime.timedelta(days=1)
    raise ValueError("no working time in the calendar for ten years")


def working_days_in(first: datetime.date, last: datetime.date) -> int:
    """How many working days from `first` to `last`, both included (counted, not walked)."""
    if last < first:
        return 0
    weeks, rest = divmod((last - first).days + 1, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
    for year in range(first.year, last.year + 1):
        for day, kind in _exceptions(year).items():
            if first <= day <= last and (kind == _WORKING_KIND) != (day.weekday() < 5):
                count += 1 if kind == _WORKING_KIND else -1
    return count


def _within_day(day: datetime.date, start, end, tz) -> datetime.timedelta:
    total = datetime.timedelta()
    for opens, closes in _day_sessions(day, tz):
        begin, finish = max(opens, start), min(closes, end)
        if finish > begin:
            total += finish - begin
    return total


def working_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """Working time from `start` to `end`; negative when `end` is before `start`."""
    start, end = _local(start), _local(end)
    if end < start:
        return -working_time_between(end, start)
    tz = start.tzinfo
    if start.date() == end.date():
        return _within_day(start.date(), start, end, tz)
    # The two partial days walked, the whole days between them counted.
    one = datetime.timedelta(days=1)
    whole = working_days_in(start.date() + one, end.date() - one)
    return (
        _within_day(start.date(), start, end, tz)
        + whole * working_day_length()
        + _within_day(end.date(), start, end, tz)
    )


# --- What people see ---------------------------------------------------------------------------


def _duration_text(duration: datetime.timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, int(WORKING_DAY.total_seconds() // 60))
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d ngày", "%(count)d ngày", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d giờ", "%(count)d giờ", hours) % {"count": hours})
    if not parts:
        parts.append(ngettext("%(count)d phút", "%(count)d phút", minutes) % {"count": minutes})
    return " ".join(parts)


def remaining_label(due_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """ "Còn 2 ngày 3 giờ" / "Quá 1 ngày 4 giờ": working days of 8 hours and hours, the national way.

    Under an hour it counts minutes; past the deadline by less than a minute of working time
    (say, the weekend after a Friday deadline) it says the dossier is overdue without a figure.
    """
    now = now or timezone.now()
    if now > due_at:
        late = working_time_between(due_at, now)
        if late < datetime.timedelta(minutes=1):
            return _("Đã quá hạn")
        return _("Quá %(time)s") % {"time": _duration_text(late)}
    left = working_time_between(now, due_at)
    if left < datetime.timedelta(minutes=1):
        return _("Đến hạn")
    return _("Còn %(time)s") % {"time": _duration_text(left)}


class DeadlineState(models.TextChoices):
    """Where a deadline stands on the working clock: what `deadline_state` answers, and what a
    dossier keeps (`Dossier.deadline_state`) for the lists and figures that filter on it."""

    ON_TRACK = "on_track", gettext_lazy("Trong hạn")
    DUE_SOON = "due_soon", gettext_lazy("Sắp đến hạn")
    OVERDUE = "overdue", gettext_lazy("Quá hạn")


def deadline_state(due_at: datetime.datetime | None, now: datetime.datetime | None = None) -> DeadlineState:
    """On track, due soon (less than DEADLINE_DUE_SOON_WORKING_HOURS of working time left) or overdue."""
    if due_at is None:
        return DeadlineState.ON_TRACK
    now = now or timezone.now()
    if now > due_at:
        return DeadlineState.OVERDUE
    soon = datetime.timedelta(hours=settings.DEADLINE_DUE_SOON_WORKING_HOURS)
    # Less than `soon` left ⇔ due before the instant `soon` of working time from now (working
    # time only grows with the end instant): a day's walk, however far the deadline is.
    if due_at < add_working_time(now, soon):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


__all__ = [
    "DAY_OFF",
    "WORKING_DAY",
    "DeadlineState",
    "add_working_time",
    "calendar_changed",
    "day_close",
    "deadline_state",
    "exception_on",
    "is_working_day",
    "remaining_label",
    "sessions",
    "working_time_between",
]

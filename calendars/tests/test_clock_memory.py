"""The calendar each process keeps in memory (cachetools): kept per year, forgotten on a change."""

import datetime

import pytest

from calendars import clock
from calendars.models import CalendarDay

pytestmark = pytest.mark.usefixtures("seeded")

FRIDAY = datetime.date(2027, 3, 12)


def test_a_year_is_read_once_and_forget_drops_it(django_assert_num_queries, settings):
    settings.CALENDAR_RECHECK_SECONDS = 60
    with django_assert_num_queries(1):
        assert clock.is_working_day(FRIDAY)
        assert clock.is_working_day(FRIDAY + datetime.timedelta(days=7))
    # A row written behind the process's back (a rolled-back test, a raw update) is not seen …
    CalendarDay.objects.create(date=FRIDAY, kind="day_off", name="Nghỉ thử")
    with django_assert_num_queries(0):
        assert clock.is_working_day(FRIDAY)
    clock.forget()  # … until this process forgets its copy
    with django_assert_num_queries(1):
        assert not clock.is_working_day(FRIDAY)


def test_a_change_through_the_calendar_is_seen_at_once_here(settings):
    settings.CALENDAR_RECHECK_SECONDS = 60
    assert clock.is_working_day(FRIDAY)
    CalendarDay.objects.create(date=FRIDAY, kind="day_off", name="Nghỉ thử")
    clock.calendar_changed()
    assert not clock.is_working_day(FRIDAY)


def test_each_year_is_kept_apart(django_assert_num_queries, settings):
    settings.CALENDAR_RECHECK_SECONDS = 60
    with django_assert_num_queries(2):
        clock.is_working_day(datetime.date(2026, 6, 1))
        clock.is_working_day(datetime.date(2028, 6, 1))
    with django_assert_num_queries(0):
        clock.is_working_day(datetime.date(2026, 6, 2))
        clock.is_working_day(datetime.date(2028, 6, 2))


def test_the_working_sessions_come_from_the_setting_and_a_bad_one_is_refused(settings):
    settings.CALENDAR_WORKING_SESSIONS = "13:00-17:00, 07:30-11:30"
    assert clock.sessions() == (
        (datetime.time(7, 30), datetime.time(11, 30)),
        (datetime.time(13, 0), datetime.time(17, 0)),
    )
    settings.CALENDAR_WORKING_SESSIONS = "17:00-13:00"
    with pytest.raises(ValueError, match="closes before it opens"):
        clock.sessions()

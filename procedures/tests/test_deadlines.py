import datetime
import zoneinfo

import pytest

from calendars.services import calendar_day_add, calendar_seed
from procedures.deadlines import add_working_days, due_at, due_date, is_working_day

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _calendar(db):
    """The working calendar as `calendar_seed` leaves it (the clock reads it from the database)."""
    calendar_seed(years=[2026, 2027])


def at(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HANOI)


def test_weekend_is_skipped():
    # Friday 27/11/2026 + 3 working days → Wednesday 2/12 (Saturday and Sunday off).
    assert due_date(at(2026, 11, 27), working_days=3) == datetime.date(2026, 12, 2)


def test_tet_2027_is_off():
    # Tết Đinh Mùi: 4–10/02/2027 off. Received Wed 3/2 with 3 working days: 11, 12, 15 February.
    assert not is_working_day(datetime.date(2027, 2, 8))
    assert due_date(at(2027, 2, 3), working_days=3) == datetime.date(2027, 2, 15)


def test_national_day_2027_is_off():
    # 2/9 and 3/9/2027 (Thursday, Friday) off: received Wed 1/9, 1 working day → Monday 6/9.
    assert due_date(at(2027, 9, 1), working_days=1) == datetime.date(2027, 9, 6)


def test_substituted_day_off_2026():
    # 31/8/2026 is a day off substituted from Saturday 22/8.
    assert not is_working_day(datetime.date(2026, 8, 31))
    assert add_working_days(datetime.date(2026, 8, 28), 1) == datetime.date(2026, 9, 3)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 11, 25, 14, 59), datetime.date(2026, 11, 25)),  # before the cut-off: same day
        (at(2026, 11, 25, 15, 0), datetime.date(2026, 11, 26)),  # at 15:00: next working day
        (at(2026, 11, 27, 16, 30), datetime.date(2026, 11, 30)),  # Friday afternoon: Monday
        (at(2026, 11, 28, 9, 0), datetime.date(2026, 11, 30)),  # Saturday: Monday
        (at(2027, 2, 3, 15, 30), datetime.date(2027, 2, 11)),  # before Tết, after the cut-off
    ],
)
def test_same_day_cutoff(received, due):
    assert due_date(received, working_days=0) == due


def test_filed_on_a_day_off_counts_from_the_next_working_day():
    # Sunday 29/11/2026 counts as Monday 30/11; 3 working days → Thursday 3/12.
    assert due_date(at(2026, 11, 29), working_days=3) == datetime.date(2026, 12, 3)


def test_cutoff_is_a_setting(settings):
    settings.PROCEDURES_SAME_DAY_CUTOFF = "16:30"
    assert due_date(at(2026, 11, 25, 16, 0), working_days=0) == datetime.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("received", "days", "deadline"),
    [
        (at(2026, 11, 25, 14, 59), 0, at(2026, 11, 25, 17)),  # same day: the afternoon close
        (at(2026, 11, 25, 15, 0), 0, at(2026, 11, 26, 17)),  # after the cut-off: tomorrow's close
        (at(2026, 11, 27, 9), 3, at(2026, 12, 2, 17)),  # across a weekend
        (at(2026, 11, 23, 9), 1, at(2026, 11, 25, 17)),  # 24/11/2026 is Ngày Văn hóa Việt Nam
        (at(2026, 8, 28, 9), 1, at(2026, 9, 3, 17)),  # 31/8, 1/9 and 2/9/2026 off
        (at(2027, 2, 3, 9), 3, at(2027, 2, 15, 17)),  # Tết 2027
    ],
)
def test_due_at_is_the_close_of_the_due_day(received, days, deadline):
    assert due_at(received, days) == deadline
    assert due_at(received, working_days=days).date() == due_date(received, working_days=days)


def test_one_rule_for_working_days_a_compensatory_saturday_counts():
    # Friday 5/3/2027 + 1 working day is Monday 8/3 — until Saturday 6/3 is declared a working day.
    assert due_date(at(2027, 3, 5), working_days=1) == datetime.date(2027, 3, 8)
    calendar_day_add(date=datetime.date(2027, 3, 6), kind="working_day", name="Làm bù", user=None)
    assert due_date(at(2027, 3, 5), working_days=1) == datetime.date(2027, 3, 6)
    assert due_at(at(2027, 3, 5), 1) == at(2027, 3, 6, 17)

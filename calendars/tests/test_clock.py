"""Working-time arithmetic on the seeded calendar: holidays, weekends, sessions, labels, states."""

import datetime

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from calendars import clock
from calendars.clock import DeadlineState
from calendars.services import calendar_day_add

from .conftest import HANOI, at

H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)
DAY = clock.WORKING_DAY

pytestmark = pytest.mark.usefixtures("seeded")


def test_a_working_day_is_the_two_legal_sessions():
    assert DAY == 8 * H
    assert clock.sessions() == (
        (datetime.time(7, 30), datetime.time(11, 30)),
        (datetime.time(13), datetime.time(17)),
    )


def test_tet_2027_is_skipped():
    # holidays.VN: Tết Đinh Mùi off Thursday 4/2 to Wednesday 10/2/2027.
    for day in range(4, 11):
        assert not clock.is_working_day(datetime.date(2027, 2, day))
    assert clock.is_working_day(datetime.date(2027, 2, 3))
    assert clock.is_working_day(datetime.date(2027, 2, 11))
    # One hour left on Wednesday 3/2, the second hour after Tết.
    assert clock.add_working_time(at(2027, 2, 3, 16), 2 * H) == at(2027, 2, 11, 8, 30)
    assert clock.working_time_between(at(2027, 2, 3, 16), at(2027, 2, 11, 8, 30)) == 2 * H
    # Three working days from Tết's eve land on Monday 15/2 (11, 12, 15 February).
    assert clock.add_working_time(at(2027, 2, 3, 17), 3 * DAY) == at(2027, 2, 15, 17)


def test_national_day_2026_with_its_substituted_monday():
    # holidays.VN: 31/8 (substituted from Saturday 22/8), 1/9 and 2/9/2026 are off.
    for day in (datetime.date(2026, 8, 31), datetime.date(2026, 9, 1), datetime.date(2026, 9, 2)):
        assert not clock.is_working_day(day)
    # Friday 28/8 15:00 + 8 working hours: 2 on Friday, 6 on Thursday 3/9.
    assert clock.add_working_time(at(2026, 8, 28, 15), DAY) == at(2026, 9, 3, 15)
    assert clock.working_time_between(at(2026, 8, 28, 15), at(2026, 9, 3, 15)) == DAY


def test_the_saturday_worked_back_is_a_working_day():
    # 22/8/2026 is worked to pay back 31/8 (seeded from the package's substitution table).
    assert clock.is_working_day(datetime.date(2026, 8, 22))
    assert clock.add_working_time(at(2026, 8, 21, 16), 2 * H) == at(2026, 8, 22, 8, 30)
    assert not clock.is_working_day(datetime.date(2026, 8, 29))  # an ordinary Saturday


def test_a_compensatory_saturday_entered_by_hand_counts():
    saturday = datetime.date(2027, 3, 6)
    assert clock.add_working_time(at(2027, 3, 5, 16), 2 * H) == at(2027, 3, 8, 8, 30)
    calendar_day_add(date=saturday, kind="working_day", name="Làm bù", user=None)
    assert clock.add_working_time(at(2027, 3, 5, 16), 2 * H) == at(2027, 3, 6, 8, 30)


def test_a_day_off_entered_by_hand_counts_at_once():
    assert clock.is_working_day(datetime.date(2027, 3, 10))
    calendar_day_add(date=datetime.date(2027, 3, 10), kind="day_off", name="Nghỉ đột xuất", user=None)
    assert not clock.is_working_day(datetime.date(2027, 3, 10))
    assert clock.add_working_time(at(2027, 3, 9, 17), H) == at(2027, 3, 11, 8, 30)


def test_weekend_is_skipped():
    # Friday 27/11/2026 16:00 + 2 h → Monday 30/11 08:30.
    assert clock.add_working_time(at(2026, 11, 27, 16), 2 * H) == at(2026, 11, 30, 8, 30)
    assert clock.working_time_between(at(2026, 11, 27, 17), at(2026, 11, 30, 7, 30)) == datetime.timedelta()


def test_new_year_2027_across_the_year_boundary():
    # Thursday 31/12/2026 16:00; Friday 1/1/2027 is off.
    assert clock.add_working_time(at(2026, 12, 31, 16), 2 * H) == at(2027, 1, 4, 8, 30)


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        (at(2026, 11, 30, 11), H, at(2026, 11, 30, 13, 30)),  # lunch break is not counted
        (at(2026, 11, 30, 11), 30 * M, at(2026, 11, 30, 11, 30)),  # ends at the morning close
        (at(2026, 11, 30, 12), H, at(2026, 11, 30, 14)),  # starting at lunch: from 13:00
        (at(2026, 11, 30, 6), H, at(2026, 11, 30, 8, 30)),  # before opening: from 07:30
        (at(2026, 11, 30, 7, 30), DAY, at(2026, 11, 30, 17)),  # a whole day ends at its close
        (at(2026, 11, 30, 16), H, at(2026, 11, 30, 17)),  # ends exactly at the afternoon close
        (at(2026, 11, 30, 16, 30), H, at(2026, 12, 1, 8)),  # afternoon cut-off: rest tomorrow
        (at(2026, 11, 30, 18), H, at(2026, 12, 1, 8, 30)),  # after hours: tomorrow morning
        (at(2026, 11, 30, 10), datetime.timedelta(), at(2026, 11, 30, 10)),
        (at(2026, 12, 1, 8), -H, at(2026, 11, 30, 16, 30)),  # negative: backwards
        (at(2026, 11, 30, 13, 30), -H, at(2026, 11, 30, 11)),
    ],
)
def test_sessions_and_lunch(start, duration, end):
    assert clock.add_working_time(start, duration) == end


def test_working_time_between_is_negative_backwards():
    assert clock.working_time_between(at(2026, 12, 1, 9), at(2026, 11, 30, 16)) == -(H + 1.5 * H)


def test_a_pause_across_the_2026_national_day_moves_the_deadline_by_its_working_time():
    # Due Friday 4/9/2026 17:00; the clock paused from Friday 28/8 10:00 to Thursday 3/9 10:00.
    due = at(2026, 9, 4, 17)
    paused = clock.working_time_between(at(2026, 8, 28, 10), at(2026, 9, 3, 10))
    assert paused == DAY  # 5 h 30 on Friday, 2 h 30 on Thursday: four days off cost nothing
    assert clock.add_working_time(due, paused) == at(2026, 9, 7, 17)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        clock.add_working_time(datetime.datetime(2026, 11, 30, 9), H)


def test_results_are_local_time_whatever_the_input_zone():
    utc = at(2026, 11, 30, 16).astimezone(datetime.UTC)
    result = clock.add_working_time(utc, 2 * H)
    assert result == at(2026, 12, 1, 8, 30)
    assert result.utcoffset() == datetime.timedelta(hours=7)


# --- Properties ---------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime.datetime(2026, 1, 1),
    max_value=datetime.datetime(2028, 6, 30),
    timezones=st.just(HANOI),
).map(lambda d: d.replace(second=0, microsecond=0))
durations = st.integers(min_value=0, max_value=40 * 8 * 60).map(lambda m: datetime.timedelta(minutes=m))
property_settings = hsettings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@property_settings
@given(start=moments, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(start, duration):
    end = clock.add_working_time(start, duration)
    assert end >= start
    assert clock.working_time_between(start, end) == duration
    assert clock.working_time_between(end, start) == -duration


@property_settings
@given(start=moments, duration=durations)
def test_subtracting_then_measuring_gives_the_duration_back(start, duration):
    begin = clock.add_working_time(start, -duration)
    assert clock.working_time_between(begin, start) == duration


@property_settings
@given(start=moments, first=durations, second=durations)
def test_adding_in_two_steps_is_adding_once(start, first, second):
    in_two = clock.add_working_time(clock.add_working_time(start, first), second)
    once = clock.add_working_time(start, first + second)
    # The same instant — except that a first step ending at a close waits there; measure instead.
    assert clock.working_time_between(start, in_two) == clock.working_time_between(start, once)


@property_settings
@given(start=moments, duration=durations.filter(bool))
def test_a_positive_duration_ends_inside_a_session_on_a_working_day(start, duration):
    end = clock.add_working_time(start, duration)
    assert clock.is_working_day(end.date())
    assert any(opens < end.time() <= closes for opens, closes in clock.sessions())


# --- Speed: the calendar comes from memory -------------------------------------------------------


def test_arithmetic_reads_the_table_once_per_year(django_assert_max_num_queries):
    clock.forget()
    with django_assert_max_num_queries(2):  # 2026 and 2027
        clock.add_working_time(at(2026, 11, 2, 9), 120 * DAY)
        clock.working_time_between(at(2026, 11, 2, 9), at(2027, 6, 1, 9))
    with django_assert_max_num_queries(0):
        for _ in range(50):
            clock.add_working_time(at(2026, 11, 2, 9), 60 * DAY)


def test_another_process_change_is_seen_after_the_recheck(settings):
    from django.core.cache import cache

    from calendars.models import CalendarDay

    settings.CALENDAR_RECHECK_SECONDS = 0
    assert clock.is_working_day(datetime.date(2027, 3, 12))
    # Another process edited the table and bumped the shared version.
    CalendarDay.objects.create(date=datetime.date(2027, 3, 12), kind="day_off", name="x")
    cache.set(clock.VERSION_KEY, "from-another-process", timeout=None)
    assert not clock.is_working_day(datetime.date(2027, 3, 12))


# --- Labels and states ---------------------------------------------------------------------------

NOW = at(2026, 11, 30, 9)  # Monday


@pytest.mark.parametrize(
    ("left", "label"),
    [
        (2 * DAY + 3 * H, "Còn 2 ngày 3 giờ"),
        (2 * DAY + 3 * H + 59 * M, "Còn 2 ngày 3 giờ"),  # whole hours, never rounded up
        (2 * DAY, "Còn 2 ngày"),
        (5 * H, "Còn 5 giờ"),
        (H, "Còn 1 giờ"),
        (45 * M, "Còn 45 phút"),  # less than an hour
        (datetime.timedelta(seconds=30), "Đến hạn"),
        (datetime.timedelta(), "Đến hạn"),  # exactly due
        (-(DAY + 4 * H), "Quá 1 ngày 4 giờ"),
        (-20 * M, "Quá 20 phút"),
        (-3 * DAY, "Quá 3 ngày"),
    ],
)
def test_remaining_label(left, label):
    assert clock.remaining_label(clock.add_working_time(NOW, left), now=NOW) == label


def test_overdue_on_a_weekend_after_a_friday_deadline():
    due = at(2026, 11, 27, 17)
    assert clock.remaining_label(due, now=at(2026, 11, 28, 10)) == "Đã quá hạn"
    assert clock.remaining_label(due, now=at(2026, 11, 30, 9, 30)) == "Quá 2 giờ"


def test_the_label_counts_working_time_across_tet():
    # Wednesday 3/2/2027 09:00 to Thursday 11/2 17:00: 6 h 30 on the 3rd, Tết off, 8 h on the 11th.
    assert clock.remaining_label(at(2027, 2, 11, 17), now=at(2027, 2, 3, 9)) == "Còn 1 ngày 6 giờ"
    # Due 3/2 16:00, seen 11/2 09:00: 1 h on the 3rd and 1 h 30 on the 11th overdue; Tết is not.
    assert clock.remaining_label(at(2027, 2, 3, 16), now=at(2027, 2, 11, 9)) == "Quá 2 giờ"


@pytest.mark.parametrize(
    ("left", "state"),
    [
        (3 * DAY, DeadlineState.ON_TRACK),
        (DAY, DeadlineState.ON_TRACK),  # exactly one working day left: not yet due soon
        (DAY - M, DeadlineState.DUE_SOON),
        (datetime.timedelta(), DeadlineState.DUE_SOON),  # exactly due
        (-M, DeadlineState.OVERDUE),
    ],
)
def test_deadline_state(left, state):
    assert clock.deadline_state(clock.add_working_time(NOW, left), now=NOW) == state


def test_due_soon_is_a_setting(settings):
    settings.DEADLINE_DUE_SOON_WORKING_HOURS = 16
    assert clock.deadline_state(clock.add_working_time(NOW, DAY), now=NOW) == DeadlineState.DUE_SOON


def test_due_soon_counts_working_hours_not_clock_hours():
    # Friday 16:00 to Monday 16:00: three days on the wall, 1 + 7 = 8 working hours.
    assert clock.deadline_state(at(2026, 11, 30, 16), now=at(2026, 11, 27, 16)) == DeadlineState.ON_TRACK
    assert clock.deadline_state(at(2026, 11, 30, 15), now=at(2026, 11, 27, 16)) == DeadlineState.DUE_SOON
    assert clock.deadline_state(None) == DeadlineState.ON_TRACK


@property_settings
@given(first=moments, second=moments)
def test_counting_whole_days_agrees_with_walking_them(first, second):
    start, end = min(first, second), max(first, second)
    walked = datetime.timedelta()
    day = start.date()
    while day <= end.date():
        for opens, closes in clock.sessions():
            begin = max(datetime.datetime.combine(day, opens, tzinfo=HANOI), start)
            finish = min(datetime.datetime.combine(day, closes, tzinfo=HANOI), end)
            if clock.is_working_day(day) and finish > begin:
                walked += finish - begin
        day += datetime.timedelta(days=1)
    assert clock.working_time_between(start, end) == walked


@property_settings
@given(now=moments, left=st.integers(min_value=-3 * 8 * 60, max_value=3 * 8 * 60))
def test_deadline_state_agrees_with_the_working_time_left(now, left):
    due = clock.add_working_time(now, datetime.timedelta(minutes=left))
    remaining = clock.working_time_between(now, due)
    state = clock.deadline_state(due, now=now)
    if due < now:
        assert state == DeadlineState.OVERDUE
    elif remaining < 8 * H:
        assert state == DeadlineState.DUE_SOON
    else:
        assert state == DeadlineState.ON_TRACK


def test_labels_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert (
            clock.remaining_label(clock.add_working_time(NOW, 2 * DAY + 3 * H), now=NOW)
            == "2 days 3 hours left"
        )
        assert (
            clock.remaining_label(clock.add_working_time(NOW, -(DAY + H)), now=NOW) == "1 day 1 hour overdue"
        )

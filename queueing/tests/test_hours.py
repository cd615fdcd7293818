"""A centre's opening hours follow the working calendar: closed on public holidays, open on a
compensatory working day with its Monday sessions."""

import datetime

import pytest

from agencies.models import Centre, OpeningSession
from calendars.services import calendar_seed
from queueing.hours import LOCAL, opening_status, opening_weekday

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, tzinfo=LOCAL)


def sessions(saturday_morning=False):
    """Weekdays 08:00–12:00 and 13:00–17:00, Saturday morning if asked (unsaved: no query needed)."""
    rows = [
        OpeningSession(weekday=weekday, opens=datetime.time(opens), closes=datetime.time(closes))
        for weekday in range(5)
        for opens, closes in ((8, 12), (13, 17))
    ]
    if saturday_morning:
        rows.append(OpeningSession(weekday=5, opens=datetime.time(8), closes=datetime.time(12)))
    return rows


@pytest.fixture(autouse=True)
def _seeded(db):
    calendar_seed(years=[2026, 2028])


def test_closed_across_the_2026_national_day():
    # 31/8 (substituted), 1/9 and 2/9/2026 are off: from Friday evening the next opening is Thursday.
    status = opening_status(Centre(), at(2026, 8, 28, 18), sessions())
    assert not status.is_open
    assert status.opens_at == at(2026, 9, 3, 8)
    # A weekday holiday in opening hours: closed, not open.
    status = opening_status(Centre(), at(2026, 9, 1, 9), sessions())
    assert not status.is_open
    assert status.opens_at == at(2026, 9, 3, 8)
    assert opening_status(Centre(), at(2026, 9, 3, 9), sessions()).is_open


def test_a_holiday_on_a_saturday_closes_a_centre_that_opens_on_saturdays():
    # 2/9/2028 is a Saturday, observed on Monday 4/9 too.
    status = opening_status(Centre(), at(2028, 9, 2, 9), sessions(saturday_morning=True))
    assert not status.is_open
    assert status.opens_at == at(2028, 9, 5, 8)
    assert opening_status(Centre(), at(2028, 9, 9, 9), sessions(saturday_morning=True)).is_open


def test_a_compensatory_saturday_opens_with_the_monday_sessions():
    # Saturday 22/8/2026 is worked back for 31/8.
    assert opening_weekday(datetime.date(2026, 8, 22)) == 0
    assert opening_status(Centre(), at(2026, 8, 22, 14), sessions()).is_open
    assert opening_status(Centre(), at(2026, 8, 22, 14), sessions(saturday_morning=True)).is_open
    status = opening_status(Centre(), at(2026, 8, 21, 18), sessions())
    assert status.opens_at == at(2026, 8, 22, 8)
    # An ordinary Saturday stays closed for a centre without Saturday sessions.
    assert opening_status(Centre(), at(2026, 8, 29, 9), sessions()).opens_at == at(2026, 9, 3, 8)


def test_weekday_rule_applies_on_ordinary_days():
    assert opening_weekday(datetime.date(2026, 11, 25)) == 2
    assert opening_weekday(datetime.date(2026, 11, 24)) is None  # Ngày Văn hóa Việt Nam

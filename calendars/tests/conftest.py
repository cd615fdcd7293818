import datetime
import zoneinfo

import pytest

from calendars.services import calendar_seed

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HANOI)


@pytest.fixture
def seeded(db):
    """The calendar as `calendar_seed` leaves it for 2026–2028."""
    return calendar_seed(years=[2026, 2027, 2028])

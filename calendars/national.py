"""The national calendar as the `holidays` package knows it: the seed of the editable table.

Days off are `holidays.VN` in Vietnamese, including the days the government substitutes (a
bridge day off, worked back on a Saturday). The package lists the Saturday worked back only as
data behind the substituted day (`special_public_holidays`: day off, worked-back day); we read
it so 22/08/2026 is a working day without anyone typing it. If a future version of the package
drops that table, the days off still come through and the Saturdays are entered by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import holidays

DAY_OFF = "day_off"
WORKING_DAY = "working_day"


@dataclass(frozen=True)
class NationalDay:
    date: datetime.date
    kind: str
    name: str


def _substitutions(year: int) -> list[tuple[datetime.date, datetime.date]]:
    """(day off, working day that pays it back) pairs listed under `year`."""
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        table = VietnamStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):
        return []
    entries = table.get(year, ())
    if entries and isinstance(entries[0], int):
        entries = (entries,)
    pairs = []
    for entry in entries:
        if len(entry) < 4:
            continue  # a plain extra day off, already in holidays.VN
        month, day, from_month, from_day = entry[:4]
        from_year = entry[4] if len(entry) > 4 else year
        pairs.append((datetime.date(year, month, day), datetime.date(from_year, from_month, from_day)))
    return pairs


def national_days(year: int) -> list[NationalDay]:
    """Days off and compensatory working days of `year`, as the package lists them."""
    days = [
        NationalDay(day, DAY_OFF, str(name)) for day, name in holidays.VN(years=year, language="vi").items()
    ]
    # A worked-back day may be listed under the next year's substitution (27/12/2014 for 2/1/2015).
    for listed in (year, year + 1):
        for day_off, worked in _substitutions(listed):
            if worked.year == year:
                days.append(NationalDay(worked, WORKING_DAY, f"Làm bù cho ngày nghỉ {day_off:%d/%m/%Y}"))
    return sorted(days, key=lambda d: d.date)

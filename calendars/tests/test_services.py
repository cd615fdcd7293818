"""Seeding the calendar from holidays.VN and supervisors' edits: idempotent, never overwriting a person."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from calendars import clock
from calendars.models import CalendarDay
from calendars.services import calendar_day_add, calendar_day_remove, calendar_seed

pytestmark = pytest.mark.django_db

D = datetime.date


def test_seed_brings_holidays_and_worked_back_saturdays(seeded):
    rows = {r.date: r for r in CalendarDay.objects.filter(date__year=2026)}
    assert rows[D(2026, 9, 2)].kind == "day_off"
    assert rows[D(2026, 9, 2)].name == "Quốc khánh"
    assert rows[D(2026, 8, 31)].kind == "day_off"  # substituted day off
    assert rows[D(2026, 8, 22)].kind == "working_day"  # the Saturday that pays it back
    assert rows[D(2026, 11, 24)].name == "Ngày Văn hóa Việt Nam"
    assert {r.source for r in rows.values()} == {"holidays"}
    assert (
        CalendarDay.objects.filter(date__year=2027, date__month=2, kind="day_off").count() == 7
    )  # Tết 4–10/2


def test_seed_is_idempotent(seeded):
    count = CalendarDay.objects.count()
    assert calendar_seed(years=[2026, 2027, 2028]) == {"created": 0, "updated": 0, "deleted": 0}
    assert CalendarDay.objects.count() == count


def test_seed_never_overwrites_a_person(seeded):
    calendar_day_remove(date=D(2026, 11, 24), user=None)
    row = CalendarDay.objects.get(date=D(2026, 4, 30))
    row.name, row.source = "Ngày Giải phóng miền Nam, thống nhất đất nước", "manual"
    row.save()
    calendar_seed(years=[2026])
    assert not CalendarDay.objects.get(date=D(2026, 11, 24)).active  # a removed holiday stays removed
    assert clock.is_working_day(D(2026, 11, 24))
    assert CalendarDay.objects.get(date=D(2026, 4, 30)).name.startswith("Ngày Giải phóng")


def test_seed_refreshes_its_own_rows(seeded):
    CalendarDay.objects.filter(date=D(2026, 9, 2)).update(name="cũ")
    CalendarDay.objects.create(
        date=D(2026, 10, 5), kind="day_off", name="not in the package", source="holidays"
    )
    assert calendar_seed(years=[2026]) == {"created": 0, "updated": 1, "deleted": 1}
    assert CalendarDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"
    assert not CalendarDay.objects.filter(date=D(2026, 10, 5)).exists()


def test_an_unseeded_year_still_knows_the_national_holidays(db):
    assert not CalendarDay.objects.exists()
    assert not clock.is_working_day(D(2027, 2, 8))  # Tết
    assert clock.is_working_day(D(2026, 8, 22))  # worked-back Saturday


def test_an_edit_seeds_its_year_first(db):
    calendar_day_add(date=D(2029, 3, 3), kind="working_day", name="Làm bù", user=None)
    assert CalendarDay.objects.filter(date__year=2029, source="holidays").exists()
    assert not clock.is_working_day(D(2029, 9, 3))  # 2/9/2029 is a Sunday: Monday 3/9 observed


def test_add_and_remove(seeded):
    row = calendar_day_add(date=D(2027, 3, 6), kind="working_day", name="  Làm bù  ", user=None)
    assert (row.name, row.source, row.active) == ("Làm bù", "manual", True)
    assert clock.is_working_day(D(2027, 3, 6))
    calendar_day_remove(date=D(2027, 3, 6), user=None)
    assert not clock.is_working_day(D(2027, 3, 6))
    # Adding it again revives the same row.
    calendar_day_add(date=D(2027, 3, 6), kind="working_day", name="Làm bù lần 2", user=None)
    assert CalendarDay.objects.filter(date=D(2027, 3, 6)).count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"date": D(2027, 3, 6), "kind": "day_off", "name": "Nghỉ"},
            "date",
            "ngày cuối tuần, vốn đã được nghỉ",
        ),
        ({"date": D(2027, 3, 8), "kind": "working_day", "name": "Bù"}, "date", "vốn đã là ngày làm việc"),
        (
            {"date": D(2027, 2, 8), "kind": "day_off", "name": "Tết"},
            "date",
            "đã có trong lịch (ngày nghỉ: Mùng ba Tết",
        ),
        ({"date": D(2027, 3, 8), "kind": "day_off", "name": "  "}, "name", "Hãy nhập tên ngày"),
        (
            {"date": D(2027, 3, 8), "kind": "holiday", "name": "x"},
            "kind",
            "Hãy chọn ngày nghỉ hoặc ngày làm việc bù",
        ),
        ({"date": D(1999, 3, 8), "kind": "day_off", "name": "x"}, "date", "từ năm 2000 đến năm 2100"),
    ],
)
def test_add_says_what_is_wrong(seeded, fields, field, message):
    with pytest.raises(ValidationError) as error:
        calendar_day_add(user=None, **fields)
    assert message in " ".join(error.value.message_dict[field])


def test_remove_a_day_not_in_the_calendar(seeded):
    with pytest.raises(ValidationError) as error:
        calendar_day_remove(date=D(2027, 3, 8), user=None)
    assert "không có trong lịch" in error.value.message_dict["date"][0]


def test_seed_command(db, capsys):
    from django.core.management import call_command

    call_command("calendar_seed", "2027")
    assert "2027:" in capsys.readouterr().out
    assert CalendarDay.objects.filter(date=D(2027, 9, 2)).exists()
    call_command("calendar_seed", "2027")
    assert "0 added" in capsys.readouterr().out

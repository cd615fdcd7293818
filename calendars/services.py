"""Changes to the working calendar: seeding from the package, and supervisors' edits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import clock
from .models import CalendarDay
from .national import national_days

# Years a supervisor may edit: wide enough for any deadline, narrow enough to catch a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _changed() -> None:
    clock.calendar_changed()  # this process at once (the rest of the transaction sees the change)
    transaction.on_commit(clock.calendar_changed)  # every process, once it is true for them


@transaction.atomic
def calendar_seed(*, years: Iterable[int]) -> dict[str, int]:
    """Bring the national days of `years` into the table. Idempotent.

    New days are added; a seeded day the package now names or classifies differently is
    refreshed, and one it no longer lists is dropped. A row a person added, edited or removed
    (source "manual") is never touched.
    """
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for year in sorted(set(years)):
        wanted = {d.date: d for d in national_days(year)}
        existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(date__year=year)}
        new = [
            CalendarDay(date=d.date, kind=d.kind, name=d.name[:120], source=CalendarDay.Source.HOLIDAYS)
            for day, d in wanted.items()
            if day not in existing
        ]
        # Two seeds at once (web and worker starting together) must not fail on the unique date.
        counts["created"] += len(CalendarDay.objects.bulk_create(new, ignore_conflicts=True))
        for day, row in existing.items():
            if row.source != CalendarDay.Source.HOLIDAYS:
                continue
            national = wanted.get(day)
            if national is None:
                row.delete()
                counts["deleted"] += 1
            elif (row.kind, row.name, row.active) != (national.kind, national.name[:120], True):
                row.kind, row.name, row.active = national.kind, national.name[:120], True
                row.save(update_fields=["kind", "name", "active", "updated_at"])
                counts["updated"] += 1
    if any(counts.values()):
        _changed()
    return counts


def _day_text(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y} ({date_format(day, 'l')})"


@transaction.atomic
def calendar_day_add(*, date: datetime.date, kind: str, name: str, user=None) -> CalendarDay:
    """Add a day off, or a compensatory working day (usually a Saturday), to the calendar.

    Raises ValidationError (messages by field) when the day would change nothing or is taken.
    """
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = _("Hãy chọn ngày nghỉ hoặc ngày làm việc bù.")
    if not name:
        errors["name"] = _("Hãy nhập tên ngày, ví dụ “Nghỉ bù Quốc khánh” hoặc “Làm bù cho ngày 31/08”.")
    elif len(name) > 120:
        errors["name"] = _("Tên ngày dài tối đa 120 ký tự.")
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        errors["date"] = _("Chỉ nhận ngày từ năm %(first)d đến năm %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if errors:
        raise ValidationError(errors)
    # Seed the year first: a year with rows is a seeded year (see clock._load_year).
    calendar_seed(years=[date.year])
    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    if row is not None and row.active:
        raise ValidationError(
            {
                "date": _(
                    "Ngày %(day)s đã có trong lịch (%(kind)s: %(name)s). Hãy bỏ ngày đó trước nếu muốn đổi."
                )
                % {"day": _day_text(date), "kind": row.get_kind_display().lower(), "name": row.name}
            }
        )
    weekend = date.weekday() >= 5
    if kind == CalendarDay.Kind.DAY_OFF and weekend:
        raise ValidationError(
            {"date": _("Ngày %(day)s là ngày cuối tuần, vốn đã được nghỉ.") % {"day": _day_text(date)}}
        )
    if kind == CalendarDay.Kind.WORKING_DAY and not weekend:
        raise ValidationError(
            {
                "date": _(
                    "Ngày %(day)s là ngày trong tuần, vốn đã là ngày làm việc; ngày làm bù thường là thứ Bảy."
                )
                % {"day": _day_text(date)}
            }
        )
    fields = {
        "kind": kind,
        "name": name,
        "source": CalendarDay.Source.MANUAL,
        "active": True,
        "updated_by": user,
    }
    try:
        with transaction.atomic():
            if row is None:
                row = CalendarDay.objects.create(date=date, **fields)
            else:
                for field, value in fields.items():
                    setattr(row, field, value)
                row.save()
    except IntegrityError:  # someone added the same day a moment ago
        raise ValidationError(
            {"date": _("Ngày %(day)s vừa được thêm vào lịch.") % {"day": _day_text(date)}}
        ) from None
    _changed()
    return row


@transaction.atomic
def calendar_day_remove(*, date: datetime.date, user=None) -> CalendarDay:
    """Take a day out of the calendar: it follows the weekday rule again.

    The row stays, inactive and marked as a person's choice, so a later seed does not bring back
    a holiday a supervisor removed.
    """
    row = CalendarDay.objects.select_for_update().filter(date=date, active=True).first()
    if row is None:
        raise ValidationError({"date": _("Ngày %(day)s không có trong lịch.") % {"day": _day_text(date)}})
    row.active = False
    row.source = CalendarDay.Source.MANUAL
    row.updated_by = user
    row.save(update_fields=["active", "source", "updated_by", "updated_at"])
    _changed()
    return row

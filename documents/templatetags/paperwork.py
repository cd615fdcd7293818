"""How Vietnamese administrative papers write dates, times and money."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from documents.money import money

register = template.Library()


def _as_datetime(value):
    if isinstance(value, str):
        # A day alone stays a day: Python's ISO parser would read "2026-12-07" as its midnight.
        value = parse_date(value) or parse_datetime(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value


@register.filter
def ngay(value) -> str:
    """2026-11-24 → 'ngày 24 tháng 11 năm 2026'."""
    value = _as_datetime(value)
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}" if value else ""


@register.filter
def gio_ngay(value) -> str:
    """2026-11-24T15:00 → '15 giờ 00 phút, ngày 24 tháng 11 năm 2026'."""
    value = _as_datetime(value)
    if not isinstance(value, datetime.datetime):
        return ngay(value)
    return f"{value.hour:02d} giờ {value.minute:02d} phút, {ngay(value)}"


@register.filter
def dmy(value) -> str:
    value = _as_datetime(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year}" if value else ""


@register.filter
def vnd(value) -> str:
    """200000 → '200.000 đồng'; 0 → 'Miễn phí'."""
    amount = int(value or 0)
    return money(amount, spelled_out=True) if amount else "Miễn phí"

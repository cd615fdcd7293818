"""The supervisor's page for the working calendar. Thin: check the role, call a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import clock, selectors, services
from .models import CalendarDay


def _year(request) -> int:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("nam") or request.POST.get("nam") or this)
    except ValueError:
        return this
    return year if services.FIRST_YEAR <= year <= services.LAST_YEAR else this


def _page(request, year: int, *, typed=None, errors=None, status=200):
    days = selectors.calendar_days_of(year)
    if not days:
        # A year nobody has seeded shows what the clock uses anyway: the package's days.
        services.calendar_seed(years=[year])
        days = selectors.calendar_days_of(year)
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "days": days,
        "day_off_count": sum(1 for d in days if d.kind == CalendarDay.Kind.DAY_OFF and d.date.weekday() < 5),
        "working_count": sum(1 for d in days if d.kind == CalendarDay.Kind.WORKING_DAY),
        "kinds": CalendarDay.Kind.choices,
        "typed": typed or {"kind": CalendarDay.Kind.DAY_OFF},
        "errors": errors or {},
        "sessions": clock.sessions(),
    }
    return render(request, "calendars/calendar.html", context, status=status)


@login_required
def calendar_page(request):
    if not selectors.can_edit_calendar(request.user):
        raise PermissionDenied
    year = _year(request)
    if request.method != "POST":
        return _page(request, year)
    action = request.POST.get("action")
    typed = {k: request.POST.get(k, "").strip() for k in ("date", "kind", "name")}
    try:
        day = datetime.date.fromisoformat(typed["date"])
    except ValueError:
        return _page(
            request, year, typed=typed, errors={"date": _("Hãy chọn một ngày (ngày/tháng/năm).")}, status=400
        )
    try:
        if action == "remove":
            row = services.calendar_day_remove(date=day, user=request.user)
            messages.success(
                request,
                _("Đã bỏ ngày %(day)s (%(name)s) khỏi lịch.") % {"day": f"{day:%d/%m/%Y}", "name": row.name},
            )
        else:
            row = services.calendar_day_add(
                date=day, kind=typed["kind"], name=typed["name"], user=request.user
            )
            messages.success(
                request,
                _("Đã thêm %(kind)s %(day)s: %(name)s.")
                % {"kind": row.get_kind_display().lower(), "day": f"{day:%d/%m/%Y}", "name": row.name},
            )
    except ValidationError as error:
        errors = {field: " ".join(msgs) for field, msgs in error.message_dict.items()}
        if action == "remove":
            for message in errors.values():
                messages.error(request, message)
            return redirect(f"{reverse('calendars:calendar')}?nam={day.year}")
        return _page(request, day.year, typed=typed, errors=errors, status=400)
    return redirect(f"{reverse('calendars:calendar')}?nam={day.year}")

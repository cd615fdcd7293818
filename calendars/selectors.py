from __future__ import annotations

from accounts.selectors import Role, roles_of

from .models import CalendarDay


def can_edit_calendar(user) -> bool:
    """Supervisors keep the working calendar; every deadline in the province depends on it."""
    return Role.SUPERVISOR in roles_of(user)


def calendar_days_of(year: int) -> list[CalendarDay]:
    """The exceptions that apply in `year` (removed ones left out), in date order."""
    return list(CalendarDay.objects.filter(date__year=year, active=True).select_related("updated_by"))

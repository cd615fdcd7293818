from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to "Monday–Friday work, Saturday–Sunday off" on the national working calendar.

    Seeded from `holidays.VN` (public holidays and the days off they substitute) and edited by
    supervisors (compensatory working Saturdays, days off the package does not know yet).
    A removed day is kept inactive, so seeding again never brings back what a person removed.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    class Source(models.TextChoices):
        HOLIDAYS = "holidays", _("Theo danh mục ngày lễ")
        MANUAL = "manual", _("Do cán bộ nhập")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên ngày"), max_length=120)
    # Seeded rows may be refreshed by a later seed; a person's edit (manual) never is.
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["day_off", "working_day"]), name="calendar_day_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"

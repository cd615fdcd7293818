"""Agencies that handle dossiers, the service centres that receive them, and who works where."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from divisions.models import Province, Ward


class Agency(models.Model):
    class Kind(models.TextChoices):
        # The centre's own reception unit: it issues receipts and the one-stop forms.
        ONE_STOP = "one_stop", _("Bộ phận tiếp nhận và trả kết quả")
        CIVIL_STATUS = "civil_status", _("Tư pháp - hộ tịch cấp xã")
        POLICE = "police", _("Công an cấp xã")
        ECONOMIC = "economic", _("Phòng Kinh tế cấp xã")
        CONSTRUCTION = "construction", _("Phòng quản lý xây dựng cấp xã")
        TAX = "tax", _("Cơ quan thuế")
        LAND_REGISTRY = "land_registry", _("Văn phòng đăng ký đất đai")
        PROVINCIAL_JUSTICE = "provincial_justice", _("Sở Tư pháp")
        BUSINESS_REGISTRY = "business_registry", _("Cơ quan đăng ký kinh doanh")

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="agencies")
    # Ward-level agencies serve one ward; provincial ones (tax, land registry…) leave it empty.
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="agencies")

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["province", "name"]

    def __str__(self):
        return self.name


class Centre(models.Model):
    """A public-administration service centre (trung tâm phục vụ hành chính công) of a ward."""

    # The receiving body's electronic identifier, the first part of every dossier code.
    code = models.CharField(_("mã định danh điện tử"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="centres")
    address = models.CharField(_("địa chỉ"), max_length=255)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("trung tâm phục vụ hành chính công")
        verbose_name_plural = _("trung tâm phục vụ hành chính công")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OpeningSession(models.Model):
    """One opening session of a centre on a weekday, in the centre's local time (Asia/Ho_Chi_Minh)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Thứ Hai")
        TUESDAY = 1, _("Thứ Ba")
        WEDNESDAY = 2, _("Thứ Tư")
        THURSDAY = 3, _("Thứ Năm")
        FRIDAY = 4, _("Thứ Sáu")
        SATURDAY = 5, _("Thứ Bảy")
        SUNDAY = 6, _("Chủ Nhật")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="opening_sessions")
    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=Weekday.choices)
    opens = models.TimeField(_("mở cửa"))
    closes = models.TimeField(_("đóng cửa"))

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        ordering = ["centre", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="session_opens_before_closes"
            ),
            models.UniqueConstraint(fields=["centre", "weekday", "opens"], name="session_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Membership(models.Model):
    """A staff member's role at a centre, in an agency, or over a whole province."""

    class Role(models.TextChoices):
        COUNTER_STAFF = "counter_staff", _("Cán bộ một cửa")
        AGENCY_OFFICER = "agency_officer", _("Cán bộ chuyên môn")
        SUPERVISOR = "supervisor", _("Lãnh đạo, giám sát")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="supervisors"
    )

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            # Each role has exactly the scope it needs: counter staff a centre, an officer
            # an agency, a supervisor either a centre or a whole province.
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    models.Q(
                        role="counter_staff", centre__isnull=False, agency__isnull=True, province__isnull=True
                    )
                    | models.Q(
                        role="agency_officer",
                        agency__isnull=False,
                        centre__isnull=True,
                        province__isnull=True,
                    )
                    | models.Q(
                        role="supervisor", agency__isnull=True, centre__isnull=False, province__isnull=True
                    )
                    | models.Q(
                        role="supervisor", agency__isnull=True, centre__isnull=True, province__isnull=False
                    )
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.scope}"

    @property
    def scope(self):
        return self.centre or self.agency or self.province

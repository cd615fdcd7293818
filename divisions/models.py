"""Administrative units after the 1 July 2025 reform, and the units they replaced.

Districts no longer exist; a province is divided directly into wards (phường)
and communes (xã). Citizens' records still carry the former ward and district,
so the former units are kept with the new ward(s) their territory went to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("mã tỉnh"), max_length=3, unique=True)
    name = models.CharField(_("tên"), max_length=100, unique=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=100, blank=True)
    # Citizen ID numbers keep the code of the province (of the 63 before 2025) that issued them.
    citizen_id_code = models.CharField(_("mã tỉnh trên số định danh"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ward(models.Model):
    class Kind(models.TextChoices):
        WARD = "ward", _("Phường")
        COMMUNE = "commune", _("Xã")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards")
    code = models.CharField(_("mã"), max_length=10, blank=True)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.WARD)

    class Meta:
        verbose_name = _("phường, xã")
        verbose_name_plural = _("phường, xã")
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="ward_unique_name_in_province"),
        ]

    def __str__(self):
        return f"{self.name}, {self.province.name}"


class FormerWard(models.Model):
    """A ward or commune as it was before 1 July 2025, with its district."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="former_wards")
    name = models.CharField(_("tên cũ"), max_length=100)
    district = models.CharField(_("quận, huyện cũ"), max_length=100)

    class Meta:
        verbose_name = _("phường, xã cũ")
        verbose_name_plural = _("phường, xã cũ")
        ordering = ["province", "district", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "district", "name"], name="former_ward_unique_in_district"
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.district}"


class WardSuccession(models.Model):
    """Where (part of) a former ward's territory went.

    A former ward split between several new wards has one row per part. The
    default row takes every address not matched by the streets of another row.
    """

    former = models.ForeignKey(FormerWard, on_delete=models.CASCADE, related_name="successions")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="predecessions")
    is_default = models.BooleanField(_("phần chính"), default=False)
    streets = models.JSONField(_("các tuyến phố thuộc phần này"), default=list, blank=True)

    class Meta:
        verbose_name = _("sáp nhập")
        verbose_name_plural = _("sáp nhập")
        constraints = [
            models.UniqueConstraint(fields=["former", "ward"], name="succession_unique_pair"),
            models.UniqueConstraint(
                fields=["former"],
                condition=models.Q(is_default=True),
                name="succession_one_default_per_former_ward",
            ),
        ]

    def __str__(self):
        return f"{self.former} → {self.ward.name}"

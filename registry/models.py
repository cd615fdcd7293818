"""The local population registry: MotCua's own copy of the residents it serves.

It stands in for the National Population Database behind the same interface
(registry.base.PopulationRegistry); other apps never read this table directly.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .citizen_id import FEMALE, MALE, check_matches_person, validate_citizen_id


class PersonRecord(models.Model):
    class Gender(models.TextChoices):
        MALE = MALE, _("Nam")
        FEMALE = FEMALE, _("Nữ")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Chưa kết hôn")
        MARRIED = "married", _("Đã kết hôn")
        DIVORCED = "divorced", _("Đã ly hôn")
        WIDOWED = "widowed", _("Góa")

    class Relation(models.TextChoices):
        HEAD = "head", _("Chủ hộ")
        SPOUSE = "spouse", _("Vợ/chồng")
        CHILD = "child", _("Con")
        PARENT = "parent", _("Cha/mẹ")
        OTHER = "other", _("Khác")

    citizen_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, unique=True, validators=[validate_citizen_id]
    )
    full_name = models.CharField(_("họ, chữ đệm và tên"), max_length=100)
    birth_date = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=50, default="Kinh")
    nationality = models.CharField(_("quốc tịch"), max_length=50, default="Việt Nam")
    # As recorded: older records still name the former ward and district.
    permanent_address = models.CharField(_("nơi thường trú"), max_length=255)
    household_code = models.CharField(_("số hộ"), max_length=20, db_index=True)
    relation_to_head = models.CharField(
        _("quan hệ với chủ hộ"), max_length=10, choices=Relation.choices, default=Relation.HEAD
    )
    marital_status = models.CharField(
        _("tình trạng hôn nhân"), max_length=10, choices=MaritalStatus.choices, default=MaritalStatus.SINGLE
    )
    # The mobile number on the citizen's record (given for electronic identification); the one
    # SMS notifications use, so a citizen without a MotCua account is still reached.
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(citizen_id__regex=r"^[0-9]{12}$"), name="person_citizen_id_12_digits"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.citizen_id})"

    def clean(self):
        if self.citizen_id and self.birth_date and self.gender:
            try:
                check_matches_person(self.citizen_id, birth_date=self.birth_date, gender=self.gender)
            except ValidationError as error:
                raise ValidationError({"citizen_id": error.error_list}) from error


class RegistryRead(models.Model):
    """One read of a person's registry record by a member of staff (Decree 13/2023, Law on Personal
    Data Protection 2025): the person sees on her page which unit, in which role, read her data and
    for what. The officer's own name is kept for an audit, not shown to the citizen."""

    citizen_id = models.CharField(_("số định danh"), max_length=12, db_index=True)
    reader = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("người đọc")
    )
    unit = models.CharField(_("đơn vị"), max_length=255)
    role = models.CharField(_("vai trò"), max_length=100)
    purpose = models.CharField(_("mục đích"), max_length=255)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("lượt đọc dữ liệu dân cư")
        verbose_name_plural = _("lượt đọc dữ liệu dân cư")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.citizen_id} — {self.unit} ({self.at:%d/%m/%Y %H:%M})"


class CorrectionRequest(models.Model):
    """A citizen's request that the registry's owner correct a fact it holds about her (a misspelled
    name, a wrong birth date). The National Population Database is kept by the police (Ministry of
    Public Security; Law on Identification 2023), and a data subject may ask the controller to
    correct her data (Decree 13/2023): she asks, the police decide; she never edits a fact herself,
    and until it is corrected the registry's value is the one every form uses."""

    class Fact(models.TextChoices):
        FULL_NAME = "full_name", _("Họ, chữ đệm và tên")
        BIRTH_DATE = "birth_date", _("Ngày sinh")
        GENDER = "gender", _("Giới tính")
        ADDRESS = "permanent_address", _("Nơi thường trú")
        OTHER = "other", _("Thông tin khác")

    class Status(models.TextChoices):
        SENT = "sent", _("Đã gửi, chờ cơ quan công an xem xét")
        CORRECTED = "corrected", _("Đã đính chính")
        REFUSED = "refused", _("Không đính chính")

    citizen_id = models.CharField(_("số định danh"), max_length=12, db_index=True)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("người gửi")
    )
    fact = models.CharField(_("thông tin sai"), max_length=20, choices=Fact.choices)
    # What the registry held when she asked, so the officer sees what she points at.
    recorded = models.CharField(_("thông tin đang ghi"), max_length=255, blank=True)
    correct = models.CharField(_("thông tin đúng"), max_length=255)
    evidence = models.CharField(_("giấy tờ chứng minh"), max_length=255, blank=True)
    # Her residence's ward today: the police of that ward (or of its province) see the request.
    # Empty when her address names no ward the system knows: every police unit sees it then.
    ward = models.ForeignKey(
        "divisions.Ward", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(_("ngày gửi"), auto_now_add=True)
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("đề nghị đính chính thông tin dân cư")
        verbose_name_plural = _("đề nghị đính chính thông tin dân cư")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["sent", "corrected", "refused"]),
                name="correction_request_status_valid",
            ),
            # One open request per fact: a second one while the first waits adds nothing.
            models.UniqueConstraint(
                fields=["citizen_id", "fact"],
                condition=models.Q(status="sent"),
                name="correction_request_one_open_per_fact",
            ),
        ]

    def __str__(self):
        return f"{self.citizen_id} {self.fact} ({self.status})"

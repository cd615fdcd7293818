"""Documents MotCua issues: results, slips and letters, signed and verifiable by anyone.

A document is never deleted: a result that must no longer be used is revoked,
with who, when and why (electronic results have the legal value of paper ones,
and cancelled results are kept).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency


class Document(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")
        PROCESS_CONTROL = "process_control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
        MARITAL_STATUS = "marital_status", _("Giấy xác nhận tình trạng hôn nhân")
        BIRTH_EXTRACT = "birth_extract", _("Trích lục khai sinh")
        RESIDENCE_CONFIRMATION = "residence_confirmation", _("Xác nhận thông tin về cư trú")
        CERTIFIED_COPY = "certified_copy", _("Lời chứng chứng thực bản sao từ bản chính")
        BUSINESS_HOUSEHOLD = "business_household", _("Giấy chứng nhận đăng ký hộ kinh doanh")
        QUEUE_TICKET = "queue_ticket", _("Phiếu số thứ tự")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang tạo")
        ISSUED = "issued", _("Đã phát hành")

    code = models.CharField(_("mã xác minh"), max_length=16, unique=True)
    # The same request (e.g. "the receipt of dossier X") always yields the same document.
    key = models.CharField(_("khóa"), max_length=200, unique=True)
    kind = models.CharField(_("loại"), max_length=40, choices=Kind.choices)
    number = models.CharField(_("số văn bản"), max_length=50, blank=True)
    issuer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    subject_ref = models.CharField(_("liên quan đến"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    # Only enough of the holder's name to recognise the document, for the public check.
    holder_hint = models.CharField(_("người được cấp (rút gọn)"), max_length=100, blank=True)
    context = models.JSONField(_("nội dung"), default=dict)
    content_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_reason = models.TextField(_("lý do thu hồi"), blank=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-created_at"]
        indexes = [
            # The few documents still waiting for their PDF, among millions issued (documents_sweep).
            models.Index(
                fields=["created_at"], condition=models.Q(status="pending"), name="document_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="document_revocation_has_reason",
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED and self.revoked_at is None


class Access(models.Model):
    """Who looked at a document: public verifications and downloads are both logged."""

    class Action(models.TextChoices):
        VERIFY = "verify", _("Xác minh")
        DOWNLOAD = "download", _("Tải về")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # A network prefix, not the full address: enough to spot abuse, not to track a person.
    network = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_action_display()} {self.document.code} {self.at:%Y-%m-%d %H:%M}"

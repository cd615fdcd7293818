"""Calls to other agencies' systems (connectors), and the local records the local backends answer from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectorCall(models.Model):
    """One check a step asks of another system; retried until it has an answer or gives up.

    ok means the other system answered (its answer, passed or not, is in `result`); failed
    means no answer came after every attempt, and `reason` says why. Neither blocks the dossier.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang gọi")
        OK = "ok", _("Đã có kết quả")
        FAILED = "failed", _("Không nhận được kết quả")

    # The caller's idempotency key: asking twice with one key makes one call.
    key = models.CharField(_("khóa"), max_length=200, unique=True)
    # The check's name (`check` would hide Model.check()).
    check_name = models.CharField(_("kiểm tra"), max_length=40)
    params = models.JSONField(_("tham số"), default=dict)
    dossier = models.ForeignKey(
        "procedures.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="connector_calls"
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gọi"), default=0)
    next_try_at = models.DateTimeField(_("gọi lại lúc"), null=True, blank=True)
    # Set while running: a worker that died mid-call leaves a lease the sweep takes back.
    started_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt gọi hệ thống khác")
        verbose_name_plural = _("lượt gọi hệ thống khác")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="connector_call_due")]
        constraints = [
            models.CheckConstraint(
                name="connector_call_failed_has_reason",
                condition=~models.Q(status="failed") | ~models.Q(reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.check_name} {self.key} ({self.status})"

    @property
    def passed(self) -> bool | None:
        """The other system's answer: True/False once ok, None while there is none."""
        return self.result.get("passed") if self.status == self.Status.OK else None


class RegisteredBusiness(models.Model):
    """The local register of business households (hộ kinh doanh), what business_name_unique reads.

    Stands in for the national business registration system; loaded from a province's export,
    and written when a business-household registration is granted.
    """

    registration_number = models.CharField(_("mã số hộ kinh doanh"), max_length=20, unique=True)
    name = models.CharField(_("tên hộ kinh doanh"), max_length=200)
    # Folded (lower case, no diacritics or punctuation): "Phở Hà Nội" and "PHO HA NOI" are one name.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    address = models.CharField(_("địa điểm kinh doanh"), max_length=255, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    registered_on = models.DateField(_("ngày đăng ký"), null=True, blank=True)

    class Meta:
        verbose_name = _("hộ kinh doanh đã đăng ký")
        verbose_name_plural = _("hộ kinh doanh đã đăng ký")

    def __str__(self):
        return f"{self.name} ({self.registration_number})"


class Payment(models.Model):
    """A fee or tax paid for a dossier (cash at the counter now; an online gateway later)."""

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt tại quầy")
        TRANSFER = "transfer", _("Chuyển khoản")
        ONLINE = "online", _("Thanh toán trực tuyến")

    # What was paid for: a dossier code, or a tax notice number.
    reference = models.CharField(_("nộp cho"), max_length=60, db_index=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices, default=Method.CASH)
    receipt_number = models.CharField(_("số biên lai"), max_length=40, unique=True)
    paid_at = models.DateTimeField(_("nộp lúc"))

    class Meta:
        verbose_name = _("khoản đã nộp")
        verbose_name_plural = _("khoản đã nộp")
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount} ({self.receipt_number})"

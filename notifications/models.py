"""Notifications to citizens and staff: one row per person, event and channel, with its delivery status."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DOSSIER_RECEIVED = "dossier_received", _("Đã tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    DOSSIER_REFUSED = "dossier_refused", _("Từ chối giải quyết hồ sơ")
    DOSSIER_LATE = "dossier_late", _("Xin lỗi vì hồ sơ trễ hạn")
    DOSSIER_STOPPED = "dossier_stopped", _("Dừng giải quyết hồ sơ")
    DEADLINE_ALERT = "deadline_alert", _("Cảnh báo hạn giải quyết")
    TICKET_NEAR_FRONT = "ticket_near_front", _("Sắp đến lượt")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Nhắc lịch hẹn")


class Notification(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("Trên cổng")
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ gửi")
        SENT = "sent", _("Đã gửi")
        DELIVERED = "delivered", _("Đã đến người nhận")
        FAILED = "failed", _("Gửi không được")

    # "<the caller's key>:<channel>": a caller that runs twice (a retried task, a double click)
    # writes the same keys, and the unique index turns the second write into a no-op.
    key = models.CharField(_("khóa"), max_length=220, unique=True)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # A citizen without an account is reached by SMS, and sees the in-app list once they sign up.
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True, db_index=True)
    dossier = models.ForeignKey(
        "procedures.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    # Where it went (an e-mail address, a phone number), as known when the event happened.
    address = models.CharField(_("địa chỉ nhận"), max_length=254, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # When the next attempt is due; the sweep re-queues rows whose attempt is overdue.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_ref = models.CharField(_("mã của nhà cung cấp"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đến lúc"), null=True, blank=True)
    failed_at = models.DateTimeField(_("thất bại lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["user", "channel", "read_at"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_has_recipient",
                condition=models.Q(user__isnull=False) | ~models.Q(citizen_id=""),
            ),
            models.CheckConstraint(
                name="notification_key_names_channel",
                condition=models.Q(key__endswith=models.F("channel")),
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.status})"

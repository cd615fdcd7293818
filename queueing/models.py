"""Queue numbers (số thứ tự): services with a letter, counters, the daily sequence and tickets."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Centre


class QueueService(models.Model):
    """A group of procedures that share a queue and a letter (A Hộ tịch, B Chứng thực…)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="queue_services")
    letter = models.CharField(_("chữ cái"), max_length=2)
    name = models.CharField(_("tên dịch vụ"), max_length=120)
    # National procedure codes (mã thủ tục). The catalogue is its own app; a code list keeps
    # the queue independent of how that catalogue is stored.
    procedure_codes = models.JSONField(_("mã thủ tục"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)
    active = models.BooleanField(_("đang phục vụ"), default=True)
    # Appointments: a slot's length, and how many bookings each counter serving it takes per slot.
    slot_minutes = models.PositiveSmallIntegerField(_("độ dài khung giờ hẹn (phút)"), default=30)
    bookings_per_counter = models.PositiveSmallIntegerField(_("số lịch hẹn mỗi quầy mỗi khung"), default=1)

    class Meta:
        verbose_name = _("dịch vụ xếp hàng")
        verbose_name_plural = _("dịch vụ xếp hàng")
        ordering = ["centre", "position", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "letter"], name="queue_service_unique_letter"),
        ]

    def __str__(self):
        return f"{self.letter} — {self.name}"


class Counter(models.Model):
    """A reception counter (quầy) at a centre, where staff call queue numbers."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("số quầy"))
    label = models.CharField(_("tên quầy"), max_length=100, blank=True)
    services = models.ManyToManyField(
        QueueService, related_name="counters", blank=True, verbose_name=_("dịch vụ phục vụ")
    )

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="counter_unique_number")]

    def __str__(self):
        return _("Quầy %(number)d") % {"number": self.number}


class CounterShift(models.Model):
    """A member of staff signed in to a counter for one local day."""

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counter_shifts"
    )
    day = models.DateField(_("ngày"))
    signed_in_at = models.DateTimeField(_("vào quầy lúc"))

    class Meta:
        verbose_name = _("ca làm việc tại quầy")
        verbose_name_plural = _("ca làm việc tại quầy")
        constraints = [
            # One person at one counter per day, one person per counter per day.
            models.UniqueConstraint(fields=["user", "day"], name="shift_one_counter_per_user_day"),
            models.UniqueConstraint(fields=["counter", "day"], name="shift_one_user_per_counter_day"),
        ]

    def __str__(self):
        return f"{self.user} — {self.counter} — {self.day:%d/%m/%Y}"


class TicketSequence(models.Model):
    """The last number issued for one service on one local day; the row is the lock.

    Counting today's tickets and adding one gives duplicates under concurrent requests;
    incrementing this row inside the issuing transaction gives unique, gap-free numbers.
    """

    service = models.ForeignKey(QueueService, on_delete=models.CASCADE, related_name="sequences")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="sequence_unique_service_day")]

    def __str__(self):
        return f"{self.service.letter} {self.day:%d/%m/%Y}: {self.last_number}"


class CitizenQueueDay(models.Model):
    """One row per citizen ID and day, locked while a ticket is issued so the per-ID limit holds."""

    citizen_id = models.CharField(max_length=12)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["citizen_id", "day"], name="citizen_queue_day_unique")]

    def __str__(self):
        return f"{self.citizen_id} {self.day:%d/%m/%Y}"


class Ticket(models.Model):
    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Máy lấy số tại trung tâm")
        PHONE = "phone", _("Điện thoại (mã QR, đường dẫn)")
        COUNTER = "counter", _("Cán bộ cấp tại quầy")
        APPOINTMENT = "appointment", _("Lịch hẹn")

    class Priority(models.TextChoices):
        # Served first at the counter (Decree 118/2025/NĐ-CP, one-stop mechanism).
        NONE = "", _("Không ưu tiên")
        DISABILITY = "disability", _("Người khuyết tật")
        ELDERLY = "elderly", _("Người cao tuổi")
        PREGNANT = "pregnant", _("Phụ nữ có thai")
        MERIT = "merit", _("Người có công với cách mạng")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Đang chờ")
        CALLED = "called", _("Đã gọi")
        SERVING = "serving", _("Đang phục vụ")
        DONE = "done", _("Đã xong")
        NO_SHOW = "no_show", _("Vắng mặt")

    OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING)
    AT_COUNTER_STATUSES = (Status.CALLED, Status.SERVING)

    # Unguessable: the ticket page is public and shows the citizen's place.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="tickets")
    service = models.ForeignKey(QueueService, on_delete=models.PROTECT, related_name="tickets")
    # The service the number was issued in; a transfer changes `service` but never the number.
    issued_service = models.ForeignKey(QueueService, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    number = models.PositiveIntegerField(_("số"))
    code = models.CharField(_("số thứ tự"), max_length=8)
    channel = models.CharField(_("kênh"), max_length=12, choices=Channel.choices)
    priority = models.CharField(_("ưu tiên"), max_length=12, choices=Priority.choices, blank=True, default="")
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True, default="")
    # A phone ticket of a person without an account: the phone her one-time code went to.
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True, default="")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # The fairness policy's sort key (see policy.queue_rank); kept on a transfer.
    rank_at = models.DateTimeField(db_index=True)
    issued_at = models.DateTimeField(_("lấy số lúc"))
    called_at = models.DateTimeField(_("gọi lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu phục vụ lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    # Set by a transfer to one counter: only that counter may call the ticket.
    for_counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="transferred_tickets"
    )
    call_count = models.PositiveSmallIntegerField(default=0)
    # The dossier filed at the counter (its code, e.g. 000.00.01.H26-261123-0007).
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("số thứ tự")
        verbose_name_plural = _("số thứ tự")
        constraints = [
            models.UniqueConstraint(
                fields=["issued_service", "day", "number"], name="ticket_unique_number_per_service_day"
            ),
            # A counter serves one citizen at a time; two counters cannot hold one ticket.
            models.UniqueConstraint(
                fields=["counter"],
                condition=models.Q(status__in=["called", "serving"]),
                name="ticket_one_open_per_counter",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["called", "serving"]) | models.Q(counter__isnull=False),
                name="ticket_at_counter_has_counter",
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "day", "status"], name="ticket_centre_day_status"),
        ]

    def __str__(self):
        return self.code


class AppointmentSlot(models.Model):
    """One bookable slot of a service; created when first booked. `booked` never exceeds `capacity`."""

    service = models.ForeignKey(QueueService, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    capacity = models.PositiveSmallIntegerField(_("số chỗ"))
    booked = models.PositiveSmallIntegerField(_("đã đặt"), default=0)

    class Meta:
        verbose_name = _("khung giờ hẹn")
        verbose_name_plural = _("khung giờ hẹn")
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_at"], name="slot_unique_start"),
            # The last word against over-booking, whatever the code above it does.
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"
            ),
        ]

    def __str__(self):
        return f"{self.service.letter} {self.starts_at:%Y-%m-%d %H:%M}"


class SlotHold(models.Model):
    """A place in a slot kept for one browser for a few minutes while the booking form is completed.

    It counts in the slot's `booked` like an appointment, so the place shown as chosen cannot be
    taken by someone else meanwhile; confirming turns it into the appointment, expiry gives it back.
    """

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.CASCADE, related_name="holds")
    # A random token kept in the browser's session; never the citizen's ID (nothing personal yet).
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("giữ chỗ đến"), db_index=True)

    class Meta:
        verbose_name = _("giữ chỗ")
        verbose_name_plural = _("giữ chỗ")

    def __str__(self):
        return f"{self.slot} ({self.expires_at:%H:%M})"


class BookingHolder(models.Model):
    """One row per citizen ID, locked while booking so the per-ID limit holds under parallel requests."""

    citizen_id = models.CharField(max_length=12, unique=True)

    def __str__(self):
        return self.citizen_id


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Đã đặt")
        CHECKED_IN = "checked_in", _("Đã đến, đã lấy số")
        CANCELLED = "cancelled", _("Đã hủy")
        NO_SHOW = "no_show", _("Không đến")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Short, unambiguous (no 0/O, 1/I), read out over the phone or typed at the kiosk.
    code = models.CharField(_("mã đặt lịch"), max_length=8, unique=True)
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="appointments")
    service = models.ForeignKey(QueueService, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # Blank for a person without a registry record: she booked with a phone code and her identity
    # is checked at the counter.
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=20, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    created_at = models.DateTimeField(_("đặt lúc"))

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        indexes = [models.Index(fields=["citizen_id", "status"], name="appointment_citizen_status")]

    def __str__(self):
        return self.code


class Kiosk(models.Model):
    """A machine of the hall registered to one centre: a ticket kiosk, or a display board.

    Only a registered kiosk gives out kiosk numbers, and only a registered board shows the calls.
    Each is registered the same way: a one-time link, opened on the machine, sets a device key in a
    signed cookie; only digests of the link and of the device key are stored. A kiosk also has an
    API secret, an accounts `ApiToken` of kind kiosk (stored hashed, revoked there); a board has
    none (it only reads its own page), so no board can take a number through the API.
    """

    class Role(models.TextChoices):
        KIOSK = "kiosk", _("ki-ốt lấy số")
        BOARD = "board", _("màn hình gọi số")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="kiosks")
    role = models.CharField(_("loại thiết bị"), max_length=8, choices=Role.choices, default=Role.KIOSK)
    name = models.CharField(_("tên thiết bị"), max_length=100)
    token = models.OneToOneField(
        "accounts.ApiToken", on_delete=models.CASCADE, null=True, blank=True, related_name="kiosk"
    )
    link_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_expires_at = models.DateTimeField(_("đường dẫn đăng ký hết hạn lúc"), null=True, blank=True)
    device_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    registered_at = models.DateTimeField(_("đăng ký thiết bị lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("thiết bị tại sảnh")
        verbose_name_plural = _("thiết bị tại sảnh")
        constraints = [
            # A kiosk's API token is what the ticket API checks; a board must never hold one.
            models.CheckConstraint(
                condition=models.Q(role="kiosk", token__isnull=False)
                | models.Q(role="board", token__isnull=True),
                name="kiosk_token_by_role",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.centre_id})"


class PhoneCode(models.Model):
    """A one-time code sent by SMS: proof that a person without an account holds this phone.

    Only an HMAC of the code is stored; it is short-lived, used once, and a few wrong tries spend it.
    """

    phone = models.CharField(_("số điện thoại"), max_length=15)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("gửi lúc"))

    class Meta:
        verbose_name = _("mã xác thực điện thoại")
        verbose_name_plural = _("mã xác thực điện thoại")
        indexes = [models.Index(fields=["phone", "created_at"], name="phone_code_phone_created")]

    def __str__(self):
        return f"{self.phone[:3]}… {self.created_at:%H:%M}"


class SpentChallenge(models.Model):
    """A proof-of-work challenge already answered: each is good for one form, until it expires.

    A table rather than the cache: the kiosk of embedded mode runs several processes with a
    file or local cache, where "add if absent" is not one atomic step everywhere; the unique key
    makes the second use fail in the database whatever the cache does.
    """

    salt_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("thử thách đã dùng")
        verbose_name_plural = _("thử thách đã dùng")

    def __str__(self):
        return f"{self.salt_digest[:8]}… {self.expires_at:%H:%M}"

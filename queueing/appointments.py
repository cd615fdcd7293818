"""Appointments (lịch hẹn): slots from opening hours and counters, booking, cancel, check-in.

A slot's capacity is held by the database: booking is one conditional UPDATE
(`booked < capacity`) on the slot row, under a CHECK constraint `booked <= capacity`; never
"count the bookings, then insert".
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.base import population_registry
from registry.typed_text import typed_text_clean

from .hours import LOCAL, local_now, opening_weekday
from .models import Appointment, AppointmentSlot, BookingHolder, QueueService, SlotHold, Ticket
from .phone_codes import phone_code_send, phone_code_use
from .services import QueueError, ticket_issue

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class SlotFull(QueueError):
    pass


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    free: int


def slot_capacity(service: QueueService) -> int:
    return service.counters.count() * service.bookings_per_counter


def slots_of_day(
    service: QueueService, day: datetime.date, *, now: datetime.datetime | None = None
) -> list[Slot]:
    """The day's slots of a service, cut from the centre's opening sessions; past slots left out."""
    now = now or timezone.now()
    capacity = slot_capacity(service)
    if capacity == 0:
        return []
    length = datetime.timedelta(minutes=service.slot_minutes)
    booked = dict(
        AppointmentSlot.objects.filter(
            service=service,
            starts_at__gte=datetime.datetime.combine(day, datetime.time(0), tzinfo=LOCAL),
            starts_at__lt=datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(0), tzinfo=LOCAL
            ),
        ).values_list("starts_at", "booked")
    )
    slots = []
    weekday = opening_weekday(day)  # closed on a public holiday, open on a compensatory working day
    if weekday is None:
        return []
    for session in service.centre.opening_sessions.filter(weekday=weekday).order_by("opens"):
        start = datetime.datetime.combine(day, session.opens, tzinfo=LOCAL)
        closes = datetime.datetime.combine(day, session.closes, tzinfo=LOCAL)
        while start + length <= closes:
            if start > now:
                taken = booked.get(start, 0)
                slots.append(Slot(start, start + length, capacity, max(0, capacity - taken)))
            start += length
    return slots


def free_slots(
    service: QueueService, *, now: datetime.datetime | None = None, days: int = 14, limit: int = 50
) -> list[Slot]:
    """Free slots from now on, the earliest first."""
    now = now or timezone.now()
    today = local_now(now).date()
    found = []
    for offset in range(days):
        found += [
            s for s in slots_of_day(service, today + datetime.timedelta(days=offset), now=now) if s.free
        ]
        if len(found) >= limit:
            break
    return found[:limit]


def _slot_for(service: QueueService, starts_at: datetime.datetime, now: datetime.datetime) -> Slot:
    day = local_now(starts_at).date()
    for slot in slots_of_day(service, day, now=now):
        if slot.starts_at == starts_at:
            return slot
    raise QueueError(_("Khung giờ này không có trong lịch làm việc của trung tâm."))


def _take_place(service: QueueService, slot: Slot, now: datetime.datetime) -> AppointmentSlot:
    try:
        with transaction.atomic():
            AppointmentSlot.objects.get_or_create(
                service=service,
                starts_at=slot.starts_at,
                defaults={"ends_at": slot.ends_at, "capacity": slot.capacity},
            )
    except IntegrityError:
        pass  # created by a parallel booking a moment ago
    row = AppointmentSlot.objects.get(service=service, starts_at=slot.starts_at)
    for _attempt in range(2):
        taken = AppointmentSlot.objects.filter(pk=row.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if taken:
            return row
        # Full: places kept by holds that have run out go back first, so a free place never
        # waits for the periodic sweep.
        if not _holds_release(SlotHold.objects.filter(slot=row, expires_at__lte=now)):
            break
    raise SlotFull(_("Khung giờ này đã hết chỗ. Hãy chọn một khung giờ khác."))


def _holds_release(holds) -> int:
    """Give back the places of these holds. Each hold is locked and deleted once, whoever gets there first."""
    released = 0
    for hold in holds.select_for_update(skip_locked=True):
        AppointmentSlot.objects.filter(pk=hold.slot_id).update(booked=F("booked") - 1)
        hold.delete()
        released += 1
    return released


def slot_hold(
    *, service: QueueService, starts_at: datetime.datetime, token: str, now: datetime.datetime | None = None
) -> SlotHold:
    """Keep a place in the chosen slot for this browser while the form is completed.

    One hold per browser: choosing another slot gives the earlier place back. A full slot
    raises SlotFull with the next free slots.
    """
    now = now or timezone.now()
    slot = _slot_for(service, starts_at, now)
    try:
        with transaction.atomic():
            current = SlotHold.objects.select_for_update().filter(token=token).select_related("slot").first()
            same_place = current is not None and (current.slot.service_id, current.slot.starts_at) == (
                service.pk,
                starts_at,
            )
            if same_place:
                current.expires_at = now + datetime.timedelta(minutes=settings.QUEUEING_SLOT_HOLD_MINUTES)
                current.save(update_fields=["expires_at"])
                return current
            if current is not None:
                _holds_release(SlotHold.objects.filter(pk=current.pk))
            row = _take_place(service, slot, now)
            return SlotHold.objects.create(
                slot=row,
                token=token,
                expires_at=now + datetime.timedelta(minutes=settings.QUEUEING_SLOT_HOLD_MINUTES),
            )
    except SlotFull as error:
        error.details["next_free"] = free_slots(service, now=max(now, starts_at), limit=5)
        raise


def _place_for_booking(
    service: QueueService, slot: Slot, hold_token: str, now: datetime.datetime
) -> AppointmentSlot:
    """The place this booking takes: its own live hold on the slot if it has one, else a free one."""
    if hold_token:
        hold = (
            SlotHold.objects.select_for_update()
            .filter(
                token=hold_token,
                slot__service=service,
                slot__starts_at=slot.starts_at,
                expires_at__gt=now,
            )
            .select_related("slot")
            .first()
        )
        if hold is not None:
            row = hold.slot
            hold.delete()  # its place becomes the appointment's: `booked` already counts it
            return row
    return _take_place(service, slot, now)


def _check_booking_limit(citizen_id: str, phone: str, now: datetime.datetime) -> None:
    """A few open bookings per person: her citizen ID, else her verified phone. The refusal names
    no booking code: whoever asks must not learn another person's bookings."""
    holder = citizen_id or phone
    try:
        with transaction.atomic():
            BookingHolder.objects.get_or_create(citizen_id=holder)
    except IntegrityError:
        pass
    BookingHolder.objects.select_for_update().get(citizen_id=holder)
    held = (
        Appointment.objects.filter(status=Appointment.Status.BOOKED, slot__ends_at__gt=now).filter(
            citizen_id=citizen_id
        )
        if citizen_id
        else Appointment.objects.filter(
            status=Appointment.Status.BOOKED, slot__ends_at__gt=now, citizen_id="", phone=phone
        )
    )
    limit = settings.QUEUEING_MAX_BOOKINGS_PER_CITIZEN
    if held.count() >= limit:
        raise QueueError(_("Mỗi người chỉ được giữ tối đa %(limit)d lịch hẹn.") % {"limit": limit})


def _check_in_registry(citizen_id: str) -> None:
    # A booking names a real person; people without a record book with a phone code and no ID.
    if citizen_id and population_registry().lookup(citizen_id) is None:
        raise QueueError(
            _(
                "Số định danh này không có trong Cơ sở dữ liệu quốc gia về dân cư. Nếu bạn chưa có số "
                "định danh, hãy đặt lịch bằng mã gửi đến điện thoại và mang giấy tờ tùy thân khi đến."
            )
        )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def appointment_book(
    *,
    service: QueueService,
    starts_at: datetime.datetime,
    citizen_id: str,
    full_name: str,
    phone: str,
    user=None,
    procedure_code: str = "",
    dossier_code: str = "",
    hold_token: str = "",
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book a place in a slot (the place this browser holds, if any). A full slot raises SlotFull
    with the next free slots.

    The caller passes a verified person: `citizen_id` from a signed-in account, or `phone` proved
    by a one-time code (with a citizen ID she typed, or none when she has no registry record: her
    identity is then checked at the counter). A citizen ID must exist in the population registry.
    `full_name` follows the typed-text rule (stored NFC; a hidden character raises ValidationError),
    which the page's form and the API check first, with the same message.
    """
    now = now or timezone.now()
    full_name = typed_text_clean(full_name.strip())
    if not citizen_id and not phone:
        raise QueueError(_("Đặt lịch cần đăng nhập hoặc mã xác thực gửi đến số điện thoại."))
    _check_in_registry(citizen_id)
    slot = _slot_for(service, starts_at, now)
    try:
        with transaction.atomic():
            _check_booking_limit(citizen_id, phone.strip(), now)
            row = _place_for_booking(service, slot, hold_token, now)
            return Appointment.objects.create(
                code=_new_code(),
                centre=service.centre,
                service=service,
                slot=row,
                user=user if user is not None and user.is_authenticated else None,
                citizen_id=citizen_id,
                full_name=full_name,
                phone=phone.strip(),
                procedure_code=procedure_code,
                dossier_code=dossier_code,
                created_at=now,
            )
    except SlotFull as error:
        error.details["next_free"] = free_slots(service, now=max(now, starts_at), limit=5)
        raise


def appointment_cancel(*, appointment: Appointment, now: datetime.datetime | None = None) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.BOOKED:
            raise QueueError(_("Lịch hẹn này không còn hiệu lực để hủy."))
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status"])
        AppointmentSlot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1)
        return appointment


def appointment_reschedule(
    *, appointment: Appointment, starts_at: datetime.datetime, now: datetime.datetime | None = None
) -> Appointment:
    """Move to another slot: the new place is taken before the old one is given back, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.BOOKED:
            raise QueueError(_("Lịch hẹn này không còn hiệu lực để đổi."))
        old_slot_id = appointment.slot_id
        slot = _slot_for(appointment.service, starts_at, now)
        try:
            with transaction.atomic():
                appointment.slot = _take_place(appointment.service, slot, now)
        except SlotFull as error:
            error.details["next_free"] = free_slots(appointment.service, now=max(now, starts_at), limit=5)
            raise
        appointment.save(update_fields=["slot"])
        AppointmentSlot.objects.filter(pk=old_slot_id).update(booked=F("booked") - 1)
        return appointment


def appointment_check_in(*, appointment: Appointment, now: datetime.datetime | None = None) -> Ticket:
    """Turn an appointment into a ticket that goes ahead of the walk-ins of its slot."""
    now = now or timezone.now()
    early = datetime.timedelta(minutes=settings.QUEUEING_CHECK_IN_EARLY_MINUTES)
    grace = datetime.timedelta(minutes=settings.QUEUEING_CHECK_IN_GRACE_MINUTES)
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("slot", "service", "centre")
            .get(pk=appointment.pk)
        )
        if appointment.status == Appointment.Status.CHECKED_IN:
            return appointment.ticket
        if appointment.status != Appointment.Status.BOOKED:
            raise QueueError(_("Lịch hẹn này đã bị hủy."))
        if now < appointment.slot.starts_at - early:
            raise QueueError(
                _("Chưa đến giờ hẹn. Bạn có thể xác nhận đến từ %(time)s.")
                % {"time": local_now(appointment.slot.starts_at - early).strftime("%H:%M %d/%m/%Y")}
            )
        if now > appointment.slot.starts_at + grace:
            raise QueueError(_("Đã quá giờ hẹn. Hãy lấy số thứ tự thông thường hoặc đặt lịch mới."))
        ticket = ticket_issue(
            centre=appointment.centre,
            service=appointment.service,
            channel=Ticket.Channel.APPOINTMENT,
            citizen_id="",  # the booking limit already applied to this ID
            appointment_start=appointment.slot.starts_at,
            now=now,
        )
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "ticket"])
        return ticket


CHECK_IN_SALT = "queueing.appointment.check_in"


def check_in_token(appointment: Appointment) -> str:
    """The signed token her booking page shows as a QR code (to her account only): scanned at the
    kiosk, it proves she holds the booking without an SMS."""
    return signing.dumps(str(appointment.public_id), salt=CHECK_IN_SALT)


def _kiosk_booking(centre, code: str) -> Appointment:
    found = Appointment.objects.filter(centre=centre, code=code.strip().upper()).first()
    if found is None or not found.phone:
        raise QueueError(_("Mã đặt lịch hoặc mã xác nhận không đúng."))
    return found


def check_in_code_send(*, centre, code: str, now: datetime.datetime | None = None) -> str:
    """At the kiosk: a one-time code to the phone the booking was made with; returns it masked."""
    found = _kiosk_booking(centre, code)
    phone_code_send(phone=found.phone, now=now)
    return "*" * (len(found.phone) - 3) + found.phone[-3:]


def appointment_check_in_at_kiosk(
    *, centre, code: str, proof: str, now: datetime.datetime | None = None
) -> Ticket:
    """Check in at the kiosk with the booking's code *and* what only its holder has: the code just
    sent to her phone, or the QR token from her booking page. A booking code alone is printed on
    paper and read aloud; it proves nothing (issue 18)."""
    found = _kiosk_booking(centre, code)
    proof = proof.strip()
    if proof.isdigit() and len(proof) == 6:
        phone_code_use(phone=found.phone, code=proof, now=now)
    else:
        try:
            holder_of = signing.loads(proof, salt=CHECK_IN_SALT)
        except signing.BadSignature:
            holder_of = None
        if holder_of != str(found.public_id):
            raise QueueError(_("Mã đặt lịch hoặc mã xác nhận không đúng."))
    return appointment_check_in(appointment=found, now=now)


def appointments_expire(*, now: datetime.datetime | None = None) -> int:
    """Booked but not checked in by the end of the grace period: a no-show, and the place is freed.
    Holds that ran out give their places back too.

    Safe to run twice (only BOOKED rows and live holds change); run every few minutes by Celery beat.
    """
    now = now or timezone.now()
    grace = datetime.timedelta(minutes=settings.QUEUEING_CHECK_IN_GRACE_MINUTES)
    with transaction.atomic():
        _holds_release(SlotHold.objects.filter(expires_at__lte=now))
        late = list(
            Appointment.objects.select_for_update(skip_locked=True).filter(
                status=Appointment.Status.BOOKED, slot__starts_at__lt=now - grace
            )
        )
        for appointment in late:
            appointment.status = Appointment.Status.NO_SHOW
            appointment.save(update_fields=["status"])
            AppointmentSlot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1)
        return len(late)


def appointments_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind everyone booked for tomorrow (local day), on every channel they can receive.

    Keyed on the appointment and its slot: running twice reminds once, and a booking moved to
    another day is reminded again for its new slot.
    """
    from notifications.services import notify

    now = now or timezone.now()
    tomorrow = local_now(now).date() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=LOCAL)
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        slot__starts_at__gte=start,
        slot__starts_at__lt=start + datetime.timedelta(days=1),
    ).select_related("slot", "centre", "service", "user")
    reminded = 0
    for appointment in due:
        local_start = appointment.slot.starts_at.astimezone(LOCAL)
        with transaction.atomic():
            notify(
                key=f"appointment_reminder:{appointment.public_id}:{local_start:%Y%m%d%H%M}",
                kind="appointment_reminder",
                citizen_id=appointment.citizen_id,
                user=appointment.user,
                context={
                    "code": appointment.code,
                    "centre_name": appointment.centre.name,
                    "centre_address": appointment.centre.address,
                    "service_name": appointment.service.name,
                    "time": local_start.strftime("%H:%M"),
                    "day": local_start.strftime("%d/%m/%Y"),
                    "appointment_url": settings.SITE_URL.rstrip("/")
                    + reverse("queueing:appointment", args=[appointment.public_id]),
                },
            )
        reminded += 1
    return reminded

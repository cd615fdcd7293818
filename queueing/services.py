"""State changes of the queue: issuing numbers, signing in to a counter, calling and serving.

Every function is one transaction, takes keyword arguments and an injectable `now` (the wall
clock by default), so tests and the kiosk agree on what "today" and "open" mean.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.selectors import Role, memberships_of
from agencies.models import Centre

from .hours import local_day, local_now, opening_status
from .models import CitizenQueueDay, Counter, CounterShift, QueueService, Ticket, TicketSequence
from .policy import queue_rank
from .selectors import CALL_ORDER, in_call_order, same_queue


class QueueError(Exception):
    """A request the queue refuses, with a message for the person who made it."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class CentreClosed(QueueError):
    pass


class TicketLimitReached(QueueError):
    pass


def closed_message(opens_at: datetime.datetime | None) -> str:
    if opens_at is None:
        return _("Trung tâm hiện không nhận số thứ tự.")
    local = local_now(opens_at)
    return _("Trung tâm đang ngoài giờ làm việc. Trung tâm mở cửa lúc %(time)s, %(weekday)s %(date)s.") % {
        "time": local.strftime("%H:%M"),
        "weekday": formats.date_format(local, "l"),
        "date": local.strftime("%d/%m/%Y"),
    }


def _next_number(*, service: QueueService, day: datetime.date) -> int:
    """Increment the (service, day) sequence in one statement; the row stays locked until commit.

    An upsert rather than get-then-update: the first ticket of the day cannot race with itself,
    and a rolled-back issue rolls the number back too, so numbers stay gap-free.
    """
    table = TicketSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, day, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (service_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [service.pk, day.isoformat()],
        )
        return cursor.fetchone()[0]


def ticket_issue(
    *,
    centre: Centre,
    service: QueueService,
    channel: str,
    priority: str = "",
    citizen_id: str = "",
    phone: str = "",
    appointment_start: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    sessions=None,
) -> Ticket:
    """Give the next number of `service` today. Refuses outside opening hours and past the per-person caps.

    A phone ticket is for a known person: a signed-in citizen (`citizen_id`, from her account) or
    someone who proved a phone with a one-time code (`phone`); callers pass only verified values.
    """
    now = now or timezone.now()
    if service.centre_id != centre.pk or not service.active:
        raise QueueError(_("Trung tâm không có dịch vụ này."))
    status = opening_status(centre, now, sessions)
    if not status.is_open:
        raise CentreClosed(closed_message(status.opens_at), opens_at=status.opens_at)
    if channel == Ticket.Channel.PHONE and not (citizen_id or phone):
        raise QueueError(_("Lấy số từ xa cần đăng nhập hoặc mã xác thực gửi đến số điện thoại."))
    day = local_day(now)
    rank_at = queue_rank(issued_at=now, priority=priority, appointment_start=appointment_start)
    fields = {
        "centre": centre,
        "service": service,
        "day": day,
        "channel": channel,
        "priority": priority,
        "citizen_id": citizen_id,
        "phone": phone,
        "issued_at": now,
        "rank_at": rank_at,
    }
    if citizen_id or phone:
        with transaction.atomic():
            _check_citizen_limit(citizen_id=citizen_id, phone=phone, service=service, day=day)
            return _ticket_create(**fields)
    return _ticket_create(**fields)


def _ticket_create(*, centre, service, day, **fields) -> Ticket:
    if connection.vendor == "postgresql":
        return _ticket_create_one_statement(centre=centre, service=service, day=day, **fields)
    with transaction.atomic():
        number = _next_number(service=service, day=day)
        return Ticket.objects.create(
            centre=centre,
            service=service,
            issued_service=service,
            day=day,
            number=number,
            code=f"{service.letter}{number:03d}",
            **fields,
        )


def _ticket_create_one_statement(*, centre, service, day, **fields) -> Ticket:
    """PostgreSQL: increment the sequence and insert the ticket in one statement.

    Same rule as `_next_number`, in one round trip: the upsert locks the (service, day) row
    until the statement's transaction ends, and if the insert fails the increment is undone.
    This is the hot path of the kiosk (see bench/tickets.py).
    """
    ticket = Ticket(centre=centre, service=service, issued_service=service, day=day, **fields)
    sequence, table = TicketSequence._meta.db_table, Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH seq AS ("
            f" INSERT INTO {sequence} (service_id, day, last_number) VALUES (%(service)s, %(day)s, 1)"
            f" ON CONFLICT (service_id, day) DO UPDATE SET last_number = {sequence}.last_number + 1"
            f" RETURNING last_number)"
            f" INSERT INTO {table} (public_id, centre_id, service_id, issued_service_id, day, number, code,"
            f" channel, priority, citizen_id, phone, status, rank_at, issued_at, call_count, dossier_code)"
            f" SELECT %(public_id)s, %(centre)s, %(service)s, %(service)s, %(day)s, seq.last_number,"
            f" %(letter)s || CASE WHEN seq.last_number < 100 THEN lpad(seq.last_number::text, 3, '0')"
            f" ELSE seq.last_number::text END,"
            f" %(channel)s, %(priority)s, %(citizen_id)s, %(phone)s, %(status)s, %(rank_at)s, %(issued_at)s,"
            f" 0, ''"
            f" FROM seq RETURNING id, number, code",
            {
                "public_id": ticket.public_id,
                "centre": centre.pk,
                "service": service.pk,
                "day": day,
                "letter": service.letter,
                "channel": ticket.channel,
                "priority": ticket.priority,
                "citizen_id": ticket.citizen_id,
                "phone": ticket.phone,
                "status": ticket.status,
                "rank_at": ticket.rank_at,
                "issued_at": ticket.issued_at,
            },
        )
        ticket.pk, ticket.number, ticket.code = cursor.fetchone()
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket


def _check_citizen_limit(*, citizen_id: str, phone: str, service: QueueService, day: datetime.date) -> None:
    """One open ticket per service and a few in all, per person and day.

    The person is her citizen ID, else her verified phone (9-11 digits: never a 12-digit ID).
    One row per (person, day) is locked so two phones taking numbers at once cannot both pass
    the count. The refusal names no ticket: whoever asks must not learn another person's numbers.
    """
    holder = citizen_id or phone
    try:
        with transaction.atomic():
            CitizenQueueDay.objects.get_or_create(citizen_id=holder, day=day)
    except IntegrityError:
        pass
    CitizenQueueDay.objects.select_for_update().get(citizen_id=holder, day=day)
    held = Ticket.objects.filter(day=day, status__in=Ticket.OPEN_STATUSES).filter(
        Q(citizen_id=citizen_id) if citizen_id else Q(phone=phone)
    )
    if held.filter(service=service).exists():
        raise TicketLimitReached(
            _("Bạn đang giữ một số thứ tự chưa được phục vụ của dịch vụ này hôm nay."), held_count=1
        )
    limit = settings.QUEUEING_MAX_OPEN_TICKETS_PER_CITIZEN
    count = held.count()
    if count >= limit:
        raise TicketLimitReached(
            _("Mỗi người chỉ được giữ tối đa %(limit)d số thứ tự chưa được phục vụ trong ngày.")
            % {"limit": limit},
            held_count=count,
        )


def counter_sign_in(*, counter: Counter, user, now: datetime.datetime | None = None) -> CounterShift:
    """Sign a member of staff in to a counter for today; it replaces their earlier counter today."""
    now = now or timezone.now()
    centres = {m.centre_id for m in memberships_of(user, Role.COUNTER_STAFF)}
    if counter.centre_id not in centres:
        raise QueueError(_("Bạn không làm việc tại trung tâm của quầy này."))
    day = local_day(now)
    with transaction.atomic():
        CounterShift.objects.filter(Q(user=user) | Q(counter=counter), day=day).delete()
        return CounterShift.objects.create(counter=counter, user=user, day=day, signed_in_at=now)


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status__in=Ticket.AT_COUNTER_STATUSES)
        .select_related("service")
        .first()
    )


def ticket_call_next(*, counter: Counter, now: datetime.datetime | None = None) -> Ticket | None:
    """Call the first waiting ticket, by the fairness policy, among the services this counter serves.

    Two counters pressing at the same instant: SKIP LOCKED lets each take a different row, and
    the conditional update (status still waiting) is the last word should a row slip through.
    """
    now = now or timezone.now()
    day = local_day(now)
    with transaction.atomic():
        # A double press at one counter waits here instead of calling two citizens.
        Counter.objects.select_for_update().filter(pk=counter.pk).first()
        if Ticket.objects.filter(counter=counter, status__in=Ticket.AT_COUNTER_STATUSES).exists():
            raise QueueError(_("Quầy đang có số chưa xong. Hãy kết thúc hoặc báo vắng mặt trước."))
        callable_here = Q(for_counter__isnull=True, service__in=counter.services.all()) | Q(
            for_counter=counter
        )
        candidates = (
            Ticket.objects.filter(centre_id=counter.centre_id, day=day, status=Ticket.Status.WAITING)
            .filter(callable_here)
            .order_by(*CALL_ORDER)
            .select_for_update(skip_locked=True)
        )
        # LIMIT 1: locking a longer list would hide all of it from the other counters.
        for _attempt in range(3):
            ticket = candidates.first()
            if ticket is None:
                return None
            # The rank chose the queue; its lowest number waiting goes first (see selectors.CALL_ORDER).
            ticket = (
                candidates.filter(same_queue(ticket), number__lt=ticket.number).order_by("number").first()
                or ticket
            )
            updated = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.WAITING).update(
                status=Ticket.Status.CALLED,
                counter=counter,
                for_counter=None,
                called_at=now,
                call_count=F("call_count") + 1,
            )
            if updated:
                ticket.refresh_from_db()
                _notify_near_front(called=ticket)
                return ticket
        return None


def _notify_near_front(*, called: Ticket) -> None:
    """Tell the citizens now close to the front of this service (who gave their ID) once per ticket."""
    from django.urls import reverse

    from notifications.services import notify

    near = in_call_order(
        list(
            Ticket.objects.filter(
                centre_id=called.centre_id,
                day=called.day,
                service_id=called.service_id,
                status=Ticket.Status.WAITING,
            )
            .select_related("centre")
            .order_by(*CALL_ORDER)[: settings.QUEUEING_NEAR_FRONT + 1]
        )
    )
    for ahead, ticket in enumerate(near):
        if ticket.citizen_id:
            notify(
                key=f"ticket_near_front:{ticket.public_id}",
                kind="ticket_near_front",
                citizen_id=ticket.citizen_id,
                context={
                    "ticket_code": ticket.code,
                    "centre_name": ticket.centre.name,
                    "ahead": ahead,
                    "ticket_url": settings.SITE_URL.rstrip("/")
                    + reverse("queueing:ticket", args=[ticket.public_id]),
                },
            )


def _at_counter(counter: Counter, *statuses: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().filter(counter=counter, status__in=statuses).first()
    if ticket is None:
        raise QueueError(_("Quầy không có số nào ở trạng thái phù hợp."))
    return ticket


def ticket_recall(*, counter: Counter, now: datetime.datetime | None = None) -> Ticket:
    """Call the same number again: the board announces it once more."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _at_counter(counter, Ticket.Status.CALLED)
        ticket.called_at = now
        ticket.call_count += 1
        ticket.save(update_fields=["called_at", "call_count"])
        return ticket


def ticket_no_show(*, counter: Counter, now: datetime.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _at_counter(counter, Ticket.Status.CALLED)
        ticket.status = Ticket.Status.NO_SHOW
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at"])
        return ticket


def ticket_start(*, counter: Counter, now: datetime.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _at_counter(counter, Ticket.Status.CALLED)
        ticket.status = Ticket.Status.SERVING
        ticket.started_at = now
        ticket.save(update_fields=["status", "started_at"])
        return ticket


def ticket_finish(
    *, counter: Counter, dossier_code: str = "", now: datetime.datetime | None = None
) -> Ticket:
    """Finish serving; the dossier filed at the counter, if any, is linked by its code."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _at_counter(counter, Ticket.Status.CALLED, Ticket.Status.SERVING)
        ticket.status = Ticket.Status.DONE
        ticket.started_at = ticket.started_at or now
        ticket.finished_at = now
        ticket.dossier_code = dossier_code.strip()[:40]
        ticket.save(update_fields=["status", "started_at", "finished_at", "dossier_code"])
        return ticket


def ticket_transfer(
    *,
    counter: Counter,
    to_service: QueueService | None = None,
    to_counter: Counter | None = None,
) -> Ticket:
    """Send the ticket at this counter to another service or counter; it keeps its place (rank)."""
    if to_service is None and to_counter is None:
        raise QueueError(_("Hãy chọn dịch vụ hoặc quầy để chuyển đến."))
    if to_service is not None and to_service.centre_id != counter.centre_id:
        raise QueueError(_("Dịch vụ này không thuộc trung tâm."))
    if to_counter is not None and (to_counter.centre_id != counter.centre_id or to_counter.pk == counter.pk):
        raise QueueError(_("Hãy chọn một quầy khác của trung tâm."))
    with transaction.atomic():
        ticket = _at_counter(counter, Ticket.Status.CALLED, Ticket.Status.SERVING)
        ticket.status = Ticket.Status.WAITING
        ticket.counter = None
        ticket.started_at = None
        ticket.for_counter = to_counter
        if to_service is not None:
            ticket.service = to_service
        ticket.save(update_fields=["status", "counter", "started_at", "for_counter", "service"])
        return ticket

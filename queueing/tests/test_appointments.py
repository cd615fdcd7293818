import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from queueing.appointments import (
    SlotFull,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_reschedule,
    appointments_expire,
    free_slots,
    slots_of_day,
)
from queueing.hours import LOCAL
from queueing.models import Appointment, AppointmentSlot, Ticket
from queueing.services import QueueError, ticket_call_next, ticket_issue

from .conftest import OPEN_NOW

# Monday 23 November 2026, 08:00: booked the Friday before.
BOOKED_AT = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL)
SLOT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL)
PEOPLE = [f"0011880000{n:02d}" for n in range(60)]


def book(service, *, starts_at=SLOT, citizen_id="001188123456", now=BOOKED_AT, full_name="Nguyễn Thị Lan"):
    return appointment_book(
        service=service,
        starts_at=starts_at,
        citizen_id=citizen_id,
        full_name=full_name,
        phone="0912345678",
        procedure_code="1.001193",
        now=now,
    )


def test_slots_come_from_opening_hours_and_counters(civil_status):
    slots = slots_of_day(civil_status, SLOT.date(), now=BOOKED_AT)
    # 08:00–12:00 and 13:00–17:00 in 30-minute slots; counters 1 and 5 serve A, one booking each.
    assert len(slots) == 16
    assert slots[0].starts_at == datetime.datetime(2026, 11, 23, 8, 0, tzinfo=LOCAL)
    assert slots[8].starts_at == datetime.datetime(2026, 11, 23, 13, 0, tzinfo=LOCAL)
    assert {s.capacity for s in slots} == {2}
    assert slots_of_day(civil_status, datetime.date(2026, 11, 22), now=BOOKED_AT) == []  # Sunday


def test_a_full_slot_says_so_and_offers_the_next_free_ones(civil_status):
    book(civil_status, citizen_id=PEOPLE[0])
    book(civil_status, citizen_id=PEOPLE[1])
    with pytest.raises(SlotFull) as error:
        book(civil_status, citizen_id=PEOPLE[2])
    assert error.value.details["next_free"][0].starts_at == SLOT + datetime.timedelta(minutes=30)
    assert AppointmentSlot.objects.get(starts_at=SLOT).booked == 2


def test_the_database_refuses_overbooking_whatever_the_code_does(civil_status):
    book(civil_status)
    with pytest.raises(IntegrityError):
        AppointmentSlot.objects.update(booked=3)


def test_one_citizen_id_holds_a_limited_number_of_bookings(civil_status):
    first = book(civil_status)
    book(civil_status, starts_at=SLOT + datetime.timedelta(hours=1))
    with pytest.raises(QueueError) as error:
        book(civil_status, starts_at=SLOT + datetime.timedelta(hours=2))
    assert first.code not in error.value.message  # issue 18: a refusal names no booking


def test_a_booking_with_a_citizen_id_not_in_the_registry_is_refused(civil_status):
    with pytest.raises(QueueError) as error:
        book(civil_status, citizen_id="001199000777")
    assert "Cơ sở dữ liệu quốc gia về dân cư" in error.value.message
    assert not Appointment.objects.exists()


def test_a_person_without_a_record_books_with_a_proved_phone(civil_status):
    booked = appointment_book(
        service=civil_status,
        starts_at=SLOT,
        citizen_id="",
        full_name="John Smith",
        phone="0987654321",
        now=BOOKED_AT,
    )
    assert booked.citizen_id == ""


def test_a_time_outside_the_slots_is_refused(civil_status):
    with pytest.raises(QueueError):
        book(civil_status, starts_at=SLOT + datetime.timedelta(minutes=10))


def test_cancel_and_reschedule_give_the_place_back(civil_status):
    appointment = book(civil_status)
    later = SLOT + datetime.timedelta(hours=1)
    appointment_reschedule(appointment=appointment, starts_at=later, now=BOOKED_AT)
    assert AppointmentSlot.objects.get(starts_at=SLOT).booked == 0
    assert AppointmentSlot.objects.get(starts_at=later).booked == 1
    appointment_cancel(appointment=appointment)
    assert AppointmentSlot.objects.get(starts_at=later).booked == 0
    assert SLOT in [s.starts_at for s in free_slots(civil_status, now=BOOKED_AT)]
    with pytest.raises(QueueError):
        appointment_cancel(appointment=appointment)


def test_check_in_gives_a_ticket_ahead_of_the_walk_ins_of_its_slot(civil_status, counter_1):
    appointment = book(civil_status)
    walk_in = ticket_issue(centre=civil_status.centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    with pytest.raises(QueueError):
        appointment_check_in(appointment=appointment, now=SLOT - datetime.timedelta(hours=1))
    ticket = appointment_check_in(appointment=appointment, now=SLOT + datetime.timedelta(minutes=5))
    assert ticket.channel == Ticket.Channel.APPOINTMENT
    assert appointment_check_in(appointment=appointment, now=SLOT).pk == ticket.pk  # twice: same ticket
    assert ticket_call_next(counter=counter_1, now=SLOT + datetime.timedelta(minutes=6)).pk == ticket.pk
    assert walk_in.status == Ticket.Status.WAITING


def test_check_in_after_the_grace_period_is_refused(civil_status):
    appointment = book(civil_status)
    with pytest.raises(QueueError):
        appointment_check_in(appointment=appointment, now=SLOT + datetime.timedelta(minutes=16))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers, so it cannot show the race; CI runs this on PostgreSQL",
)
def test_fifty_bookings_racing_for_a_three_place_slot_book_exactly_three(civil_status):
    from .test_concurrency import run_in_threads

    civil_status.bookings_per_counter = 1
    civil_status.save()
    civil_status.counters.add(civil_status.centre.counters.get(number=2))  # 3 counters → 3 places
    results, errors = run_in_threads(50, lambda i: book(civil_status, citizen_id=PEOPLE[i]))
    assert len(results) == 3
    assert len(errors) == 47
    assert all(isinstance(e, SlotFull) for e in errors)
    assert AppointmentSlot.objects.get(service=civil_status, starts_at=SLOT).booked == 3


def test_a_booking_not_checked_in_after_the_grace_period_becomes_a_no_show(civil_status):
    kept = book(civil_status, citizen_id=PEOPLE[0])
    missed = book(civil_status, citizen_id=PEOPLE[1])
    appointment_check_in(appointment=kept, now=SLOT)
    assert appointments_expire(now=SLOT + datetime.timedelta(minutes=10)) == 0  # still in the grace period
    assert appointments_expire(now=SLOT + datetime.timedelta(minutes=16)) == 1
    assert appointments_expire(now=SLOT + datetime.timedelta(minutes=17)) == 0  # twice: nothing more
    missed.refresh_from_db()
    assert missed.status == "no_show"
    assert AppointmentSlot.objects.get(starts_at=SLOT).booked == 1


def test_a_booking_name_is_stored_nfc_and_never_with_hidden_characters(civil_status):
    """Issue 18, item 2: whoever calls the service, the name follows the e-forms' rule."""
    for hidden in ("\u202e", "\u200b", "\x00", "\x1b"):
        with pytest.raises(ValidationError) as error:
            book(civil_status, full_name=f"Nguyễn{hidden} Thị Lan")
        assert error.value.code == "hidden_characters"
    assert not Appointment.objects.exists()
    book(civil_status, full_name=unicodedata.normalize("NFD", " Nguyễn Thị Lan "))
    assert Appointment.objects.get().full_name == unicodedata.normalize("NFC", "Nguyễn Thị Lan")

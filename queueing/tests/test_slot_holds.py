"""A chosen slot is kept for the browser that chose it while the booking form is completed."""

import datetime

import pytest
from django.db import connection

from queueing.appointments import SlotFull, appointment_book, appointments_expire, slot_hold
from queueing.models import Appointment, AppointmentSlot, SlotHold

from .test_appointments import BOOKED_AT, PEOPLE, SLOT, book

LATER = SLOT + datetime.timedelta(minutes=30)


def booked(starts_at=SLOT) -> int:
    return AppointmentSlot.objects.get(starts_at=starts_at).booked


def test_a_held_place_is_not_given_to_someone_else(civil_status):
    # Capacity 2 (see test_appointments): two browsers hold both places.
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-2", now=BOOKED_AT)
    with pytest.raises(SlotFull) as error:
        book(civil_status, citizen_id=PEOPLE[0])
    assert error.value.details["next_free"][0].starts_at == LATER
    with pytest.raises(SlotFull):
        slot_hold(service=civil_status, starts_at=SLOT, token="browser-3", now=BOOKED_AT)


def test_confirming_turns_the_hold_into_the_appointment_without_taking_a_second_place(civil_status):
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)
    assert booked() == 1
    appointment = appointment_book(
        service=civil_status,
        starts_at=SLOT,
        citizen_id=PEOPLE[0],
        full_name="Nguyễn Thị Lan",
        phone="0912345678",
        hold_token="browser-1",
        now=BOOKED_AT + datetime.timedelta(minutes=2),
    )
    assert appointment.status == Appointment.Status.BOOKED
    assert booked() == 1
    assert not SlotHold.objects.exists()


def test_choosing_another_slot_gives_the_first_place_back(civil_status):
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)  # same slot again
    assert booked() == 1
    slot_hold(service=civil_status, starts_at=LATER, token="browser-1", now=BOOKED_AT)
    assert booked(SLOT) == 0
    assert booked(LATER) == 1
    assert SlotHold.objects.count() == 1


def test_a_hold_that_ran_out_gives_its_place_to_the_next_person_at_once(civil_status):
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-2", now=BOOKED_AT)
    # Six minutes later both holds have run out; nobody waits for the periodic sweep.
    appointment = book(civil_status, citizen_id=PEOPLE[0], now=BOOKED_AT + datetime.timedelta(minutes=6))
    assert appointment.slot.starts_at == SLOT
    assert booked() == 1  # both holds that ran out went back; the new appointment took one
    # The late browser's confirmation finds its hold gone and takes the remaining place normally.
    late = appointment_book(
        service=civil_status,
        starts_at=SLOT,
        citizen_id=PEOPLE[1],
        full_name="Trần Văn Bình",
        phone="0912345679",
        hold_token="browser-1",
        now=BOOKED_AT + datetime.timedelta(minutes=7),
    )
    assert late.slot.starts_at == SLOT
    assert booked() == 2
    assert SlotHold.objects.count() == 0


def test_the_sweep_frees_holds_that_ran_out(civil_status):
    slot_hold(service=civil_status, starts_at=SLOT, token="browser-1", now=BOOKED_AT)
    appointments_expire(now=BOOKED_AT + datetime.timedelta(minutes=4))
    assert booked() == 1
    appointments_expire(now=BOOKED_AT + datetime.timedelta(minutes=5))
    assert booked() == 0
    assert not SlotHold.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers, so it cannot show the race; CI runs this on PostgreSQL",
)
def test_thirty_browsers_holding_a_two_place_slot_hold_exactly_two(civil_status):
    from .test_concurrency import run_in_threads

    results, errors = run_in_threads(
        30, lambda i: slot_hold(service=civil_status, starts_at=SLOT, token=f"browser-{i}", now=BOOKED_AT)
    )
    assert len(results) == 2
    assert all(isinstance(e, SlotFull) for e in errors)
    assert booked() == 2

"""The day before an appointment, the citizen is reminded once, on every channel they can receive."""

import datetime

from notifications.models import Notification
from queueing.appointments import appointment_cancel, appointment_reschedule, appointments_remind

from .test_appointments import BOOKED_AT, PEOPLE, SLOT, book

# Sunday 22 November 2026, 17:00: the evening before the Monday 09:00 slot.
EVENING_BEFORE = datetime.datetime(2026, 11, 22, 17, 0, tzinfo=SLOT.tzinfo)


def reminders():
    return Notification.objects.filter(kind="appointment_reminder", channel="in_app")


def test_tomorrows_bookings_are_reminded_once(civil_status):
    appointment = book(civil_status, citizen_id=PEOPLE[0])
    assert appointments_remind(now=EVENING_BEFORE) == 1
    appointments_remind(now=EVENING_BEFORE + datetime.timedelta(minutes=5))  # beat ran twice
    (reminder,) = reminders()
    assert reminder.citizen_id == PEOPLE[0]
    assert "09:00" in reminder.subject
    assert "23/11/2026" in reminder.subject
    assert appointment.code in reminder.body


def test_other_days_and_cancelled_bookings_are_not_reminded(civil_status):
    # Wednesday (Tuesday 24/11 is a public holiday: no slots).
    later = book(civil_status, citizen_id=PEOPLE[0], starts_at=SLOT + datetime.timedelta(days=2))
    cancelled = book(civil_status, citizen_id=PEOPLE[1])
    appointment_cancel(appointment=cancelled, now=BOOKED_AT)
    assert appointments_remind(now=EVENING_BEFORE) == 0
    assert not reminders().exists()
    assert appointments_remind(now=EVENING_BEFORE + datetime.timedelta(days=1)) == 0  # holiday eve
    assert appointments_remind(now=EVENING_BEFORE + datetime.timedelta(days=2)) == 1
    assert reminders().get().body.count(later.code) == 1


def test_a_booking_moved_to_another_day_is_reminded_for_its_new_slot(civil_status):
    appointment = book(civil_status, citizen_id=PEOPLE[0])
    appointments_remind(now=EVENING_BEFORE)
    appointment_reschedule(
        appointment=appointment, starts_at=SLOT + datetime.timedelta(days=2, hours=1), now=BOOKED_AT
    )
    appointments_remind(now=EVENING_BEFORE + datetime.timedelta(days=2))
    assert sorted(r.subject[-10:] for r in reminders()) == ["23/11/2026", "25/11/2026"]

import datetime

import pytest

from accounts.models import User
from queueing.models import Counter, CounterShift, QueueService, Ticket, TicketSequence
from queueing.services import (
    CentreClosed,
    QueueError,
    TicketLimitReached,
    counter_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
)

from .conftest import CLOSED_NOW, OPEN_NOW

KIOSK = Ticket.Channel.KIOSK


def issue(centre, service, *, at=OPEN_NOW, **kwargs):
    return ticket_issue(
        centre=centre, service=service, channel=kwargs.pop("channel", KIOSK), now=at, **kwargs
    )


def test_numbers_run_per_service_and_restart_each_day(centre, civil_status, certification):
    a1 = issue(centre, civil_status)
    a2 = issue(centre, civil_status)
    b1 = issue(centre, certification)
    # The next open day: Tuesday 24/11/2026 is a public holiday, so Wednesday.
    next_day = issue(centre, civil_status, at=OPEN_NOW + datetime.timedelta(days=2))
    assert [a1.code, a2.code, b1.code, next_day.code] == ["A001", "A002", "B001", "A001"]


def test_a_failed_issue_leaves_no_gap(centre, civil_status):
    issue(centre, civil_status, citizen_id="001188123456")
    with pytest.raises(TicketLimitReached):
        issue(centre, civil_status, citizen_id="001188123456")
    assert issue(centre, civil_status).code == "A002"


def test_outside_opening_hours_says_when_the_centre_opens(centre, civil_status):
    with pytest.raises(CentreClosed) as error:
        issue(centre, civil_status, at=CLOSED_NOW)
    assert "08:00" in error.value.message
    assert "25/11/2026" in error.value.message  # 24/11 is a public holiday
    assert error.value.details["opens_at"].hour == 8


def test_one_open_ticket_per_service_and_a_few_in_all_and_the_refusal_names_none(
    centre, civil_status, certification
):
    """Issue 18: per-person caps; the refusal never names the person's (or anyone's) tickets."""
    phone = Ticket.Channel.PHONE
    first = issue(centre, civil_status, citizen_id="001188123456", channel=phone)
    with pytest.raises(TicketLimitReached) as same_service:
        issue(centre, civil_status, citizen_id="001188123456", channel=phone)
    second = issue(centre, certification, citizen_id="001188123456", channel=phone)
    third_service = QueueService.objects.get(centre=centre, letter="C")
    with pytest.raises(TicketLimitReached) as in_all:
        issue(centre, third_service, citizen_id="001188123456", channel=phone)
    for error in (same_service, in_all):
        assert first.code not in error.value.message
        assert second.code not in error.value.message
    # A person proved by a phone code is capped the same way.
    issue(centre, civil_status, phone="0912345678", channel=phone)
    with pytest.raises(TicketLimitReached):
        issue(centre, civil_status, phone="0912345678", channel=phone)


def test_a_served_ticket_frees_a_place_under_the_limit(centre, civil_status, counter_1):
    issue(centre, civil_status, citizen_id="001188123456")
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    ticket_finish(counter=counter_1, now=OPEN_NOW)
    assert issue(centre, civil_status, citizen_id="001188123456").code == "A002"


def test_phone_channel_needs_a_citizen_id(centre, civil_status):
    with pytest.raises(QueueError):
        issue(centre, civil_status, channel=Ticket.Channel.PHONE)


def test_a_service_of_another_centre_is_refused(centre, civil_status):
    other = Counter.objects.exclude(centre=centre).first().centre
    with pytest.raises(QueueError):
        issue(other, civil_status)


def test_call_next_follows_the_policy_and_only_the_counters_services(
    centre, civil_status, certification, counter_1
):
    issue(centre, certification)  # B001: counter 1 does not serve B
    a1 = issue(centre, civil_status)
    elderly = issue(
        centre, civil_status, priority=Ticket.Priority.ELDERLY, at=OPEN_NOW + datetime.timedelta(minutes=1)
    )
    assert ticket_call_next(counter=counter_1, now=OPEN_NOW).pk == elderly.pk
    with pytest.raises(QueueError):
        ticket_call_next(counter=counter_1, now=OPEN_NOW)  # still has a ticket at the counter
    ticket_finish(counter=counter_1, now=OPEN_NOW)
    assert ticket_call_next(counter=counter_1, now=OPEN_NOW).pk == a1.pk
    ticket_finish(counter=counter_1, now=OPEN_NOW)
    assert ticket_call_next(counter=counter_1, now=OPEN_NOW) is None


def test_recall_no_show_start_finish(centre, civil_status, counter_1):
    first = issue(centre, civil_status)
    second = issue(centre, civil_status)
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    later = OPEN_NOW + datetime.timedelta(minutes=2)
    recalled = ticket_recall(counter=counter_1, now=later)
    assert recalled.call_count == 2
    assert recalled.called_at == later
    assert ticket_no_show(counter=counter_1, now=later).status == Ticket.Status.NO_SHOW
    ticket_call_next(counter=counter_1, now=later)
    with pytest.raises(QueueError):
        ticket_no_show(counter=Counter.objects.get(centre=centre, number=2))  # nothing called there
    ticket_start(counter=counter_1, now=later)
    done = ticket_finish(
        counter=counter_1, dossier_code="000.00.01.H26-261123-0001", now=later + datetime.timedelta(minutes=4)
    )
    assert done.pk == second.pk
    assert done.status == Ticket.Status.DONE
    assert done.dossier_code == "000.00.01.H26-261123-0001"
    assert done.finished_at - done.started_at == datetime.timedelta(minutes=4)
    first.refresh_from_db()
    assert first.status == Ticket.Status.NO_SHOW


def test_transfer_keeps_the_place_in_the_new_service(centre, civil_status, certification, counter_1):
    moved = issue(centre, civil_status)
    b_later = issue(centre, certification, at=OPEN_NOW + datetime.timedelta(minutes=5))
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    ticket_transfer(counter=counter_1, to_service=certification)
    counter_2 = Counter.objects.get(centre=centre, number=2)
    called = ticket_call_next(counter=counter_2, now=OPEN_NOW + datetime.timedelta(minutes=6))
    assert called.pk == moved.pk
    assert called.code == "A001"
    ticket_finish(counter=counter_2, now=OPEN_NOW)
    assert ticket_call_next(counter=counter_2, now=OPEN_NOW).pk == b_later.pk


def test_transfer_to_a_counter_only_that_counter_calls_it(centre, civil_status, counter_1, counter_5):
    ticket = issue(centre, civil_status)
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    counter_3 = Counter.objects.get(centre=centre, number=3)
    ticket_transfer(counter=counter_1, to_counter=counter_3)
    assert ticket_call_next(counter=counter_5, now=OPEN_NOW) is None
    assert ticket_call_next(counter=counter_3, now=OPEN_NOW).pk == ticket.pk


def test_staff_sign_in_to_a_counter_of_their_centre_only(centre, counter_1, counter_5):
    clerk = User.objects.get(username="canbo.caugiay")
    counter_sign_in(counter=counter_1, user=clerk, now=OPEN_NOW)
    counter_sign_in(counter=counter_5, user=clerk, now=OPEN_NOW)
    assert list(CounterShift.objects.filter(user=clerk).values_list("counter__number", flat=True)) == [5]
    elsewhere = Counter.objects.exclude(centre=centre).first()
    with pytest.raises(QueueError):
        counter_sign_in(counter=elsewhere, user=clerk, now=OPEN_NOW)


def test_numbers_past_999_keep_all_their_digits(centre, civil_status):
    issue(centre, civil_status)
    TicketSequence.objects.filter(service=civil_status).update(last_number=999)
    assert issue(centre, civil_status).code == "A1000"

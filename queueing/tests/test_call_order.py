"""Numbers taken in the same instant are called in number order, priority first (PROCEDURES.md):
the fairness rank decides between queues, numbers within one (queueing/selectors.py, CALL_ORDER)."""

import datetime
import random

from queueing.models import Counter, Ticket
from queueing.selectors import people_ahead, waiting_for_counter
from queueing.services import ticket_call_next, ticket_finish, ticket_issue, ticket_transfer

from .conftest import OPEN_NOW

ELDERLY = Ticket.Priority.ELDERLY
MICROSECOND = datetime.timedelta(microseconds=1)


def issue(centre, service, *, at=OPEN_NOW, priority=""):
    return ticket_issue(centre=centre, service=service, channel="kiosk", priority=priority, now=at)


def call_all(counter, *, now=OPEN_NOW) -> list[str]:
    called = []
    while (ticket := ticket_call_next(counter=counter, now=now)) is not None:
        called.append(ticket.code)
        ticket_finish(counter=counter, now=now)
    return called


def codes(letter, numbers):
    return [f"{letter}{n:03d}" for n in numbers]


def test_many_tickets_of_the_same_instant_are_called_priority_first_then_by_number(
    centre, civil_status, counter_1
):
    priority = {n for n in range(1, 121) if n % 7 == 3}
    for n in range(1, 121):
        issue(centre, civil_status, priority=ELDERLY if n in priority else "")
    assert Ticket.objects.filter(issued_at=OPEN_NOW).count() == 120
    expected = codes("A", sorted(priority)) + codes("A", [n for n in range(1, 121) if n not in priority])
    assert [t.code for t in waiting_for_counter(counter_1, now=OPEN_NOW, limit=120)] == expected
    assert call_all(counter_1) == expected


def test_a_clock_read_a_moment_before_the_number_does_not_jump_the_queue(centre, civil_status, counter_1):
    """Kiosks read the clock, then queue for the number: at a rush, #100 can carry a time a few
    microseconds before #99's. The people see one instant; the numbers decide."""
    jitter = list(range(120))
    random.Random(17).shuffle(jitter)
    for offset in jitter:
        issue(centre, civil_status, at=OPEN_NOW + offset * MICROSECOND)
    ninety_ninth = Ticket.objects.get(number=99)
    assert Ticket.objects.filter(number__gt=99, rank_at__lt=ninety_ninth.rank_at).exists()  # the trap
    assert [t.code for t in waiting_for_counter(counter_1, now=OPEN_NOW, limit=120)] == codes(
        "A", range(1, 121)
    )
    assert people_ahead(ninety_ninth) == 98
    assert call_all(counter_1) == codes("A", range(1, 121))


def test_two_counters_share_one_queue_in_number_order(centre, civil_status, counter_1, counter_5):
    jitter = list(range(40))
    random.Random(5).shuffle(jitter)
    for offset in jitter:
        issue(centre, civil_status, at=OPEN_NOW + offset * MICROSECOND)
    called = []
    for _round in range(20):
        for counter in (counter_1, counter_5):
            called.append(ticket_call_next(counter=counter, now=OPEN_NOW).number)
            ticket_finish(counter=counter, now=OPEN_NOW)
    assert called == list(range(1, 41))


def test_the_fairness_rank_still_decides_between_queues(centre, civil_status, counter_1):
    """Numbers order a queue, not the whole hall: an ordinary ticket that waited longer than the
    priority head start goes before a later priority one; a priority one taken just after goes first."""
    early = issue(centre, civil_status)  # A001 at 09:00
    issue(centre, civil_status, at=OPEN_NOW + datetime.timedelta(minutes=16), priority=ELDERLY)  # A002
    issue(centre, civil_status, at=OPEN_NOW + datetime.timedelta(minutes=17))  # A003
    issue(centre, civil_status, at=OPEN_NOW + datetime.timedelta(minutes=18), priority=ELDERLY)  # A004
    assert early.code == "A001"
    assert call_all(counter_1, now=OPEN_NOW + datetime.timedelta(minutes=20)) == [
        "A001",
        "A002",
        "A004",
        "A003",
    ]


def test_a_ticket_of_the_previous_day_is_never_called_nor_reorders_today(centre, civil_status, counter_1):
    day_before = OPEN_NOW - datetime.timedelta(days=3)  # Friday 20/11, open
    for _ in range(5):
        issue(centre, civil_status, at=day_before)  # A001–A005 of Friday, left waiting
    jitter = list(range(10))
    random.Random(3).shuffle(jitter)
    for offset in jitter:
        issue(centre, civil_status, at=OPEN_NOW + offset * MICROSECOND)  # A001–A010 of Monday
    called = call_all(counter_1)
    assert called == codes("A", range(1, 11))
    assert Ticket.objects.filter(day=day_before.date(), status=Ticket.Status.WAITING).count() == 5


def test_a_transferred_ticket_keeps_its_place_and_is_not_numbered_in_its_new_service(
    centre, civil_status, certification, counter_1
):
    counter_2 = Counter.objects.get(centre=centre, number=2)  # serves B
    moved = issue(centre, civil_status)  # A001, 09:00
    for n in range(10):  # B001–B010, a moment later; their numbers are B's, not A's
        issue(centre, certification, at=OPEN_NOW + (10 - n) * MICROSECOND)
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    ticket_transfer(counter=counter_1, to_service=certification)
    moved.refresh_from_db()
    assert moved.service == certification
    assert moved.code == "A001"
    assert call_all(counter_2) == ["A001", *codes("B", range(1, 11))]


def test_a_transferred_ticket_is_not_put_before_the_new_services_earlier_numbers(
    centre, civil_status, certification, counter_1
):
    counter_2 = Counter.objects.get(centre=centre, number=2)
    for _ in range(5):
        issue(centre, certification)  # B001–B005 at 09:00
    for _ in range(3):
        issue(centre, civil_status, at=OPEN_NOW + datetime.timedelta(minutes=1))  # A001–A003
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    ticket_transfer(counter=counter_1, to_service=certification)  # A001, number 1, taken later
    assert call_all(counter_2) == [*codes("B", range(1, 6)), "A001"]

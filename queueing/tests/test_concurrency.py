"""The database keeps numbers and calls apart under parallel requests (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from queueing.models import Counter, Ticket
from queueing.services import ticket_call_next, ticket_issue

from .conftest import OPEN_NOW

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers, so it cannot show row locking; CI runs this on PostgreSQL",
    ),
]


def run_in_threads(count, work):
    """Start `count` threads at one barrier; each has its own database connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


# PostgreSQL allows 100 connections here and other test workers hold some: 50 threads, each
# with its own connection, take two tickets each, all starting at one barrier.
THREADS = 50


def test_a_hundred_parallel_tickets_get_a_hundred_consecutive_numbers(centre, civil_status):
    def take_two(_i):
        return [
            ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW).number
            for _ in range(2)
        ]

    results, errors = run_in_threads(THREADS, take_two)
    assert errors == []
    assert sorted(n for pair in results for n in pair) == list(range(1, 101))
    assert Ticket.objects.filter(issued_service=civil_status).count() == 100


def test_two_counters_calling_at_once_get_different_tickets(centre, civil_status):
    for _ in range(2):
        ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    counters = [Counter.objects.get(centre=centre, number=n) for n in (1, 5)]  # both serve A
    for _round in range(5):
        results, errors = run_in_threads(2, lambda i: ticket_call_next(counter=counters[i], now=OPEN_NOW))
        assert errors == []
        called = [t.pk for t in results if t is not None]
        assert len(called) == len(set(called)) == 2
        for t in results:
            Ticket.objects.filter(pk=t.pk).update(status=Ticket.Status.DONE)
        for _ in range(2):
            ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)

import threading

import pytest
from django.db import connection, connections, transaction

from notifications.channels import sms
from notifications.models import Notification
from notifications.services import notifications_deliver, notifications_due, notify


@pytest.mark.django_db(transaction=True)
def test_parallel_callers_with_one_key_write_one_row_per_channel(walk_in):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is tested on PostgreSQL")
    barrier = threading.Barrier(4)
    errors = []

    def caller():
        try:
            barrier.wait()
            with transaction.atomic():
                notify(
                    key="ticket_near_front:same",
                    kind="ticket_near_front",
                    citizen_id=walk_in,
                    context={"ticket_code": "A001", "centre_name": "Trung tâm thử", "ahead": 1},
                )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Notification.objects.values_list("key", flat=True)) == [
        "ticket_near_front:same:in_app",
        "ticket_near_front:same:sms",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_send_each_notification_once(walk_in):
    """Two notifications' workers given a drain task at the same moment claim different rows
    (SKIP LOCKED): every SMS goes once, and neither waits on the other's locks."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is tested on PostgreSQL")
    sms.outbox.clear()
    for number in range(30):
        notify(
            key=f"ticket_near_front:{number}",
            kind="ticket_near_front",
            citizen_id=walk_in,
            context={"ticket_code": f"A{number:03}", "centre_name": "Trung tâm thử", "ahead": 1},
        )
    barrier = threading.Barrier(2)
    tried, errors = [], []

    def worker():
        try:
            barrier.wait()
            tried.append(notifications_deliver(limit=50))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(tried) == 30
    assert len(sms.outbox) == 30
    assert len({message.text for message in sms.outbox}) == 30
    assert set(Notification.objects.filter(channel="sms").values_list("status", flat=True)) == {"delivered"}
    sms.outbox.clear()


@pytest.mark.django_db(transaction=True)
def test_a_row_held_by_a_killed_worker_is_sent_by_the_next_drain(walk_in):
    """A worker dies holding a claimed row (its connection drops, as when the process is killed):
    PostgreSQL rolls its transaction back, and the next drain sends the row, once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    sms.outbox.clear()
    notify(
        key="ticket_near_front:killed",
        kind="ticket_near_front",
        citizen_id=walk_in,
        context={"ticket_code": "A001", "centre_name": "Trung tâm thử", "ahead": 1},
    )
    claimed, killed, backend = threading.Event(), threading.Event(), []

    def dying_worker():
        try:
            with transaction.atomic():
                assert notifications_due().select_for_update(skip_locked=True).first() is not None
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend.append(cursor.fetchone()[0])
                claimed.set()
                killed.wait(10)
                Notification.objects.count()  # its connection is gone
        except Exception:  # noqa: BLE001 - the dead worker's error is the point
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=dying_worker)
    thread.start()
    assert claimed.wait(10)
    assert notifications_deliver() == 0  # claimed by the other worker: skipped, not waited for
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", backend)
    killed.set()
    thread.join()
    assert notifications_deliver() == 1
    assert len(sms.outbox) == 1
    assert Notification.objects.get(channel="sms").status == "delivered"
    sms.outbox.clear()

import threading

import pytest
from django.db import connection, connections, transaction

from notifications.models import Notification
from notifications.services import notify


@pytest.mark.django_db(transaction=True)
def test_parallel_callers_with_one_key_write_one_row_per_channel(walk_in, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is tested on PostgreSQL")
    from notifications import tasks

    monkeypatch.setattr(tasks.deliver, "apply_async", lambda *a, **kw: None)
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

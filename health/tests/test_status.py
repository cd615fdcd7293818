"""Readiness says only whether this node can serve; the status page tells the truth about every
part of the system, each with a status an operator can act on."""

import datetime
import socket

import pytest
from django.core.cache import caches
from django.utils import timezone

from health.models import Beacon, Lease
from health.services import beacon_touch, lease_hold, lease_release

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _all_alive(settings):
    for queue in settings.QUEUES_BY_KIND.values():
        beacon_touch(name=f"queue:{queue}")
    beacon_touch(name="relay:test:1")
    assert lease_hold(name="beat", holder="test-beat", seconds=30)


def _checks(client):
    response = client.get("/health/status/")
    return response, {line["name"]: line for line in response.json()["checks"]}


def test_everything_alive_is_ok(client, settings):
    _all_alive(settings)
    response, checks = _checks(client)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert {"database", "redis", "scheduler", "relay", "worker:routing", "worker:documents"} <= set(checks)
    assert "outbox:dossiers_to_enter" in checks


@pytest.mark.parametrize(
    ("silence", "problem"),
    [
        ("queue:documents", "worker:documents"),
        ("queue:routing", "worker:routing"),
        ("relay", "relay"),
        ("beat", "scheduler"),
    ],
)
def test_each_silent_process_is_named(client, settings, silence, problem):
    _all_alive(settings)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    if silence.startswith("queue:"):
        queue = settings.QUEUES_BY_KIND[silence.split(":")[1]]
        Beacon.objects.filter(name=f"queue:{queue}").update(seen_at=long_ago)
    elif silence == "relay":
        Beacon.objects.filter(name__startswith="relay:").update(seen_at=long_ago)
    else:
        Lease.objects.filter(name="beat").update(renewed_at=long_ago)
    response, checks = _checks(client)
    assert response.status_code == 503
    assert response.json()["problems"] == [problem]
    assert checks[problem]["status"] == "silent"
    assert checks[problem]["action"]  # what to do, in words


def test_redis_unreachable_is_a_problem_but_the_node_stays_ready(client, settings):
    _all_alive(settings)
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response, checks = _checks(client)
    assert response.status_code == 503
    assert checks["redis"]["status"] == "unreachable"
    assert "127.0.0.1" not in str(response.json())  # no addresses for the public
    ready = client.get("/health/")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok"}


def test_work_waiting_too_long_in_the_outbox_is_late(client, settings, demo):
    from procedures.models import Dossier
    from routing.tests.conftest import file_dossier

    _all_alive(settings)
    dossier = file_dossier(code="1.004194", enter=False)  # filed; no relay has entered it
    Dossier.objects.filter(pk=dossier.pk).update(received_at=timezone.now() - datetime.timedelta(minutes=5))
    response, checks = _checks(client)
    assert response.status_code == 503
    assert checks["outbox:dossiers_to_enter"]["status"] == "late"
    assert checks["outbox:dossiers_to_enter"]["oldest_seconds"] >= 300


def test_readiness_fails_when_the_database_does_not_answer(client, monkeypatch):
    from health import selectors

    def broken_cursor():
        raise ConnectionError("database gone")

    monkeypatch.setattr(selectors.connection, "cursor", broken_cursor)
    assert client.get("/health/").status_code == 503


def test_one_lease_holder_at_a_time_and_another_takes_over_when_it_expires():
    assert lease_hold(name="beat", holder="a", seconds=30)
    assert not lease_hold(name="beat", holder="b", seconds=30)
    assert lease_hold(name="beat", holder="a", seconds=30)  # the holder renews
    Lease.objects.filter(name="beat").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert lease_hold(name="beat", holder="b", seconds=30)
    assert not lease_hold(name="beat", holder="a", seconds=30)
    assert lease_release(name="beat", holder="b")
    assert lease_hold(name="beat", holder="a", seconds=30)  # released: no need to wait


def test_the_status_page_does_not_need_redis_for_its_own_answer(client, settings):
    """The status page reads the database only (beacons, leases): a cache that fails is not in its path."""
    _all_alive(settings)
    caches["default"].clear()
    assert client.get("/health/status/").status_code == 200

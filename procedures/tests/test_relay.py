"""Entering starts from the filing's commit: the outbox relay (outbox/relay.py) enters what was
filed, woken on PostgreSQL by the filing's own NOTIFY, polling on SQLite; it survives a database
that drops its connections."""

import threading
import time

import pytest
from django.db import connection

from health.models import Beacon
from outbox.relay import Relay
from procedures.models import Dossier, Procedure
from procedures.services import dossier_submit


def _file(centre, filer, procedure_slug="dang-ky-tam-tru"):
    procedure = Procedure.objects.get(slug=procedure_slug)
    return dossier_submit(
        form=procedure.current_form(),
        centre=centre,
        channel="online",
        applicant_citizen_id=filer.citizen_id,
        applicant_name="Nguyễn Thị Thử",
        submitted_by=filer,
        data={},
    )


def _entered(pk) -> bool:
    return Dossier.objects.filter(pk=pk, entered_at__isnull=False).exists()


def test_one_pass_of_the_relay_enters_what_was_filed_and_says_it_is_alive(catalogue, centre, filer):
    filed = [_file(centre, filer) for _ in range(3)]
    relay = Relay()
    relay.run(passes=1)
    assert all(_entered(d.pk) for d in filed)
    assert Beacon.objects.filter(name=relay.name).exists()
    relay.run(passes=1)  # nothing waiting: a pass does nothing, and enters nothing twice
    assert Dossier.objects.filter(events__kind="receipt").count() == 3


@pytest.fixture
def running_relay(settings):
    """A relay in a thread, as `manage.py outbox_relay` runs it, on its own connections."""
    relays = []

    def start(**overrides):
        for name, value in overrides.items():
            setattr(settings, name, value)
        relay = Relay()
        thread = threading.Thread(target=relay.run, daemon=True)
        thread.start()
        relays.append((relay, thread))
        return relay

    yield start
    for relay, thread in relays:
        relay.stop()
        thread.join(timeout=10)
        assert not thread.is_alive()


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY and backends to terminate are PostgreSQL's"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_filing_wakes_the_relay_at_once_on_postgresql(catalogue, centre, filer, running_relay):
    # Its own drain runs only every 60 s: only the filing's NOTIFY can explain a quick entry.
    running_relay(OUTBOX_SWEEP_SECONDS=60.0)
    time.sleep(0.3)  # listening
    started = time.monotonic()
    dossier = _file(centre, filer)
    assert _wait_for(lambda: _entered(dossier.pk), 5), "not entered within 5 s of the commit"
    assert time.monotonic() - started < 5


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_relay_reconnects_after_the_database_drops_its_connections(
    catalogue, centre, filer, running_relay
):
    """What a PostgreSQL restart does to a long-running process: every connection is cut."""
    relay = running_relay(OUTBOX_SWEEP_SECONDS=1.0)
    first = _file(centre, filer)
    assert _wait_for(lambda: _entered(first.pk), 5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    second = _file(centre, filer)
    assert _wait_for(lambda: _entered(second.pk), 15), (
        "the relay did not come back after its connections died"
    )
    assert relay.stopping.is_set() is False


def test_the_relay_polls_on_sqlite(catalogue, centre, filer, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the polling fallback is SQLite's (PostgreSQL's relay is woken instead)")
    relay = Relay()
    assert relay._listener is None
    dossier = _file(centre, filer)
    relay.run(passes=1)
    assert _entered(dossier.pk)

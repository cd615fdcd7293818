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


@pytest.fixture
def relay_enters_itself(monkeypatch):
    """The relay does the entering in its own process, as it does while the broker is unreachable."""
    from procedures.outbox import DossiersToEnter

    monkeypatch.setattr(DossiersToEnter, "in_workers", False)


def test_one_pass_of_the_relay_enters_what_was_filed_and_says_it_is_alive(
    catalogue, centre, filer, relay_enters_itself
):
    filed = [_file(centre, filer) for _ in range(3)]
    relay = Relay()
    relay.run(passes=1)
    assert all(_entered(d.pk) for d in filed)
    assert Beacon.objects.filter(name=relay.name).exists()
    relay.run(passes=1)  # nothing waiting: a pass does nothing, and enters nothing twice
    assert Dossier.objects.filter(events__kind="receipt").count() == 3


def test_the_relay_hands_entering_to_the_workers_once_per_wake_and_enters_itself_when_the_broker_is_down(
    catalogue, centre, filer, monkeypatch, settings
):
    from outbox import services

    sent = []
    monkeypatch.setattr(services, "publish", lambda task, args, **kw: sent.append((task, args)) or True)
    monkeypatch.setattr(services, "queue_length", lambda queue: 0)  # every worker is free
    settings.OUTBOX_DISPATCH_SECONDS = 60
    settings.OUTBOX_SWEEP_SECONDS = 0.2
    services._dispatched_at.clear()
    filed = [_file(centre, filer) for _ in range(3)]
    relay = Relay()
    relay.run(passes=3)  # three wakes
    assert sent == [("outbox.drain", [])]  # one task for the three dossiers
    assert not any(_entered(d.pk) for d in filed)  # the worker enters them
    from outbox.tasks import drain

    assert drain("dossiers_to_enter") == 3  # what the worker does with that task
    assert all(_entered(d.pk) for d in filed)

    # The broker is down: the relay does the work itself rather than wait.
    monkeypatch.setattr(services, "publish", lambda task, args, **kw: False)
    services._dispatched_at.clear()
    more = _file(centre, filer)
    relay.run(passes=1)
    assert _entered(more.pk)


def test_a_wake_that_came_too_soon_after_a_dispatch_comes_back_when_the_next_is_allowed(
    catalogue, centre, filer, monkeypatch, settings
):
    """A filing committed just after a task went out (the worker may already have finished) must not
    wait for the next sweep: the relay comes back once the next dispatch is allowed."""
    from outbox import services

    sent = []
    monkeypatch.setattr(services, "publish", lambda task, args, **kw: sent.append(task) or True)
    monkeypatch.setattr(services, "queue_length", lambda queue: 0)
    settings.OUTBOX_DISPATCH_SECONDS = 0.3
    services._dispatched_at.clear()
    _file(centre, filer)
    assert services.relay_pass() == (0, 0.3)  # back soon if the dossier still waits
    assert sent == ["outbox.drain"]
    done, again_in = services.relay_pass()  # woken again at once by the next commit
    assert sent == ["outbox.drain"]
    assert 0 < again_in <= 0.3
    time.sleep(again_in)
    services.relay_pass()
    assert sent == ["outbox.drain", "outbox.drain"]


def test_no_second_task_while_the_first_still_waits_for_a_worker(
    catalogue, centre, filer, monkeypatch, settings
):
    """A task nobody has taken yet means every worker is busy: another would only pile up behind it
    (and, one batch each, be a burst of empty runs once the backlog is gone)."""
    from outbox import services

    sent, waiting_in_broker = [], [1]
    monkeypatch.setattr(services, "publish", lambda task, args, **kw: sent.append(task) or True)
    monkeypatch.setattr(services, "queue_length", lambda queue: waiting_in_broker[0])
    settings.OUTBOX_DISPATCH_SECONDS = 0
    services._dispatched_at.clear()
    _file(centre, filer)
    assert services.relay_pass() == (0, 0)  # busy workers: come back, send nothing
    assert sent == []
    waiting_in_broker[0] = 0  # a worker took it
    services.relay_pass()
    assert sent == ["outbox.drain"]


def test_a_worker_task_enters_one_batch_and_leaves_the_rest_to_the_next(catalogue, centre, filer, settings):
    """A task is a few seconds' work, so the hand-offs of the dossiers it entered do not wait for a
    whole backlog to be entered first."""
    from outbox.tasks import drain

    settings.OUTBOX_BATCH = 2
    filed = [_file(centre, filer) for _ in range(5)]
    assert drain("dossiers_to_enter") == 2
    assert sum(_entered(d.pk) for d in filed) == 2
    assert drain("dossiers_to_enter") == 2
    assert drain("dossiers_to_enter") == 1


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
def test_a_filing_wakes_the_relay_at_once_on_postgresql(
    catalogue, centre, filer, running_relay, relay_enters_itself
):
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
    catalogue, centre, filer, running_relay, relay_enters_itself
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


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_relay_does_the_workers_share_on_several_threads(
    demo, monkeypatch, settings
):
    """One thread fell 35 s behind 10 filings a second during bench/faults.py's Redis outage: waiting
    for PostgreSQL's answers, not computing. Three threads enter three batches in one pass, each
    claiming other dossiers, and deliver their hand-offs; nothing is done twice."""
    from accounts.models import User
    from agencies.models import Centre
    from outbox import services
    from routing.models import DossierStep

    centre, filer = Centre.objects.get(code="000.00.01.H26"), User.objects.get(username="001188123456")
    monkeypatch.setattr(services, "publish", lambda task, args, **kw: False)  # Redis is down:
    monkeypatch.setattr(services, "queue_length", lambda queue: None)  # nothing is sent, nothing known
    settings.OUTBOX_BATCH = 2
    settings.OUTBOX_RELAY_THREADS = 3
    filed = [_file(centre, filer) for _ in range(7)]
    relay = Relay()
    try:
        relay.run(passes=1)
        assert sum(_entered(d.pk) for d in filed) == 6  # a batch of two on each of three threads
        relay.run(passes=3)
    finally:
        relay.close()
    assert all(_entered(d.pk) for d in filed)
    assert Dossier.objects.filter(events__kind="receipt").count() == 7
    # Each dossier is in its first inbox (reception, for an online filing) once.
    firsts = DossierStep.objects.filter(dossier__in=filed, stage=1)
    assert sorted(firsts.values_list("dossier", flat=True)) == sorted(d.pk for d in filed)


def test_the_relay_polls_on_sqlite(catalogue, centre, filer, settings, relay_enters_itself):
    if connection.vendor != "sqlite":
        pytest.skip("the polling fallback is SQLite's (PostgreSQL's relay is woken instead)")
    relay = Relay()
    assert relay._listener is None
    dossier = _file(centre, filer)
    relay.run(passes=1)
    assert _entered(dossier.pk)

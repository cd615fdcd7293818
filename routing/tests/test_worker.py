"""Hand-offs through a real Celery worker process on Redis, and what survives when things die.

Marked `worker`: `pytest -m worker routing` runs only these. Each starts its own redis-server and
`celery worker -P solo` on the test database; the test plays the outbox relay (`relay_pass`, as
`manage.py outbox_relay` runs it), which has the worker deliver what is due, or delivers it itself
while the broker is down. Marked `own_process` too: this process publishes to the private
redis-server (workers.publishing_to), so they run in a pytest process of their own.
"""

import datetime
import shutil
import threading

import pytest
from django.apps import apps
from django.db import connection

from calendars import clock
from outbox.services import relay_pass
from procedures.models import Dossier
from routing import actions
from routing.models import DossierStep, OutboxMessage, Transition

from .conftest import HANOI, JUDICIAL_RECORD, file_dossier, officer_of
from .workers import Worker, publishing_to, redis_server
from .workers import wait_for as _wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.own_process,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process reads the test database: PostgreSQL only (SQLite's lives in this process)",
    ),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server for a private broker"
    ),
]


@pytest.fixture
def broker_up(transactional_db, settings):
    """A private redis-server, this process publishing to it, and a worker consuming from it."""
    with redis_server() as server:
        worker = Worker(server.url, queue="routing-test")
        with publishing_to(server.url, worker.queue, settings):
            worker.start()
            try:
                yield server, worker
            finally:
                worker.stop(broker=server)


@pytest.fixture
def broker(broker_up, demo):
    """`broker_up`, then the demo data (the `demo` fixture). In that order: the worker starts up
    (seconds of imports, far more on CI's busy cores) while the data goes in, not after it; it
    reads nothing before the test hands it work."""
    return broker_up


def wait_for(predicate, **kwargs):
    """Wait as the relay would: a pass (a drain task to a worker, or delivered here while the broker
    is down) before each look."""

    def relayed():
        relay_pass()
        return predicate()

    _wait_for(relayed, **kwargs)


def _open_steps(dossier):
    return list(
        DossierStep.objects.filter(dossier=dossier, state__in=["waiting", "accepted"]).select_related(
            "agency", "definition"
        )
    )


def _open_count(dossier) -> int:
    return DossierStep.objects.filter(dossier=dossier, state__in=["waiting", "accepted"]).count()


def test_a_judicial_record_passes_two_agencies_in_parallel_and_comes_back(broker, now):
    _server, worker = broker
    now.set(datetime.datetime(2026, 11, 25, 8, 0, tzinfo=HANOI))
    dossier = file_dossier(code=JUDICIAL_RECORD, received_at=now.value)
    wait_for(lambda: _open_count(dossier) == 1, message=f"reception step\n{worker.output()}")
    (reception,) = _open_steps(dossier)
    actions.step_complete(step=reception, officer=officer_of(reception.agency.code), outcome="tiep-nhan")

    wait_for(lambda: _open_count(dossier) == 2, message=f"parallel steps\n{worker.output()}")
    justice, police = sorted(_open_steps(dossier), key=lambda s: s.agency.code != "HN-STP")
    assert (justice.agency.code, police.agency.code) == ("HN-STP", "CA-000.00.01.H26")

    # The police ask the citizen for a missing paper: the clock stops until she answers.
    now.set(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=HANOI))
    actions.supplement_request(
        step=police, officer=officer_of("CA-000.00.01.H26"), missing=["Bản sao hộ chiếu"]
    )
    dossier.refresh_from_db()
    due_before = dossier.due_at
    now.set(datetime.datetime(2026, 11, 26, 14, 15, tzinfo=HANOI))
    actions.supplement_answer(dossier=dossier, user=dossier.submitted_by, note="Đã bổ sung")
    dossier.refresh_from_db()
    assert clock.working_time_between(due_before, dossier.due_at) == datetime.timedelta(
        hours=1.5 + 4 + 4 + 1.25
    )

    # Both agencies finish at the same moment, in two transactions racing each other.
    barrier = threading.Barrier(2)

    def finish(step, agency_code, outcome):
        try:
            barrier.wait()
            actions.step_complete(
                step=step, officer=officer_of(agency_code, f"o-{agency_code}"), outcome=outcome
            )
        finally:
            connection.close()

    officer_of("HN-STP", "o-HN-STP")
    officer_of("CA-000.00.01.H26", "o-CA-000.00.01.H26")
    threads = [
        threading.Thread(target=finish, args=(justice, "HN-STP", "du-dieu-kien")),
        threading.Thread(target=finish, args=(police, "CA-000.00.01.H26", "da-xac-minh")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    wait_for(lambda: _open_count(dossier) == 1, message=f"approval step\n{worker.output()}")
    (approval,) = _open_steps(dossier)
    assert approval.definition.kind == "approval"
    actions.step_complete(step=approval, officer=officer_of("HN-STP"), outcome="da-ky")
    wait_for(lambda: _open_count(dossier) == 1 and _open_steps(dossier)[0].definition.kind == "return")
    (back,) = _open_steps(dossier)
    assert back.agency.code == "TT-000.00.01.H26"
    actions.step_complete(step=back, officer=officer_of(back.agency.code), outcome="da-tra")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED
    assert dossier.on_time is True
    assert DossierStep.objects.filter(dossier=dossier).count() == 5
    assert DossierStep.objects.filter(dossier=dossier, state="done").count() == 5
    assert not OutboxMessage.objects.exclude(state="done").exists()
    # Exactly one stage-open message per stage after the first: the parallel join handed on once.
    assert OutboxMessage.objects.filter(dossier=dossier).count() == 4


def _expected_place(dossier) -> bool:
    """A counter-filed judicial record after its first hand-off: reception done, justice and police
    waiting, each exactly once, with one trail line each."""
    steps = list(DossierStep.objects.filter(dossier=dossier).values_list("definition__key", "state"))
    return sorted(steps) == [
        ("tiep-nhan", "done"),
        ("tra-cuu-ly-lich", "waiting"),
        ("xac-minh-an-tich", "waiting"),
    ]


def _assert_every_dossier_in_exactly_one_correct_place(dossiers):
    for dossier in dossiers:
        assert _expected_place(dossier), dossier.code
        keys = list(Transition.objects.filter(dossier=dossier).values_list("key", flat=True))
        assert len(keys) == len(set(keys)) == 5  # submitted, reception open + done, two opens
    assert not OutboxMessage.objects.exclude(state="done").exists()
    assert OutboxMessage.objects.count() == len(dossiers)
    if apps.is_installed("notifications"):
        # The citizen is told once that the dossier was received, whatever was redelivered.
        notification = apps.get_model("notifications", "Notification")
        for dossier in dossiers:
            channels = list(
                notification.objects.filter(dossier=dossier, kind="dossier_received").values_list(
                    "channel", flat=True
                )
            )
            assert channels, dossier.code
            assert len(channels) == len(set(channels)), dossier.code


def _all_placed(dossiers) -> bool:
    return DossierStep.objects.filter(dossier__in=dossiers, state="waiting").count() == 2 * len(dossiers)


def test_a_worker_killed_mid_hand_offs_loses_and_duplicates_nothing(broker):
    _server, worker = broker
    dossiers = [file_dossier(code=JUDICIAL_RECORD, channel="counter") for _ in range(40)]
    wait_for(
        lambda: OutboxMessage.objects.filter(state="done").count() >= 5,
        message=f"first hand-offs\n{worker.output()}",
    )
    worker.kill()  # SIGKILL in the middle of the stream: one message in hand, never acknowledged
    done_at_kill = OutboxMessage.objects.filter(state="done").count()
    assert done_at_kill < len(dossiers)
    worker.start()
    wait_for(lambda: _all_placed(dossiers), timeout=25, interval=0.2, message=f"recovery\n{worker.output()}")
    _assert_every_dossier_in_exactly_one_correct_place(dossiers)


def test_redis_stopped_and_restarted_during_submissions_loses_and_duplicates_nothing(broker):
    server, worker = broker
    before = [file_dossier(code=JUDICIAL_RECORD, channel="counter") for _ in range(10)]
    server.stop()
    # Filing goes on while the broker is down, and so does routing: the relay delivers hand-offs
    # itself rather than leave them waiting for Redis.
    during = [file_dossier(code=JUDICIAL_RECORD, channel="counter") for _ in range(10)]
    wait_for(lambda: _all_placed(during), timeout=25, interval=0.2, message="delivered without a broker")
    server.start()  # empty: whatever the old Redis held is gone too
    after = [file_dossier(code=JUDICIAL_RECORD, channel="counter") for _ in range(10)]
    dossiers = before + during + after
    wait_for(lambda: _all_placed(dossiers), timeout=25, interval=0.2, message=f"recovery\n{worker.output()}")
    _assert_every_dossier_in_exactly_one_correct_place(dossiers)

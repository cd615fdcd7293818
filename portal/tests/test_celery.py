import os
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from health.models import Beacon
from health.tasks import heartbeat
from portal.celery import app


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_a_real_worker():
    """A real worker (celery's test worker, in a thread) takes the task from the configured broker:
    Redis when REDIS_URL is set (CI), the filesystem transport otherwise (make run's embedded mode)."""
    if os.environ.get("REDIS_URL"):
        assert app.conf.broker_url.startswith("redis://")
    else:
        assert app.conf.broker_url == "filesystem://"
    # A queue of its own: other test processes queue real tasks for their own databases,
    # and this worker must not run those.
    queue = f"roundtrip-{uuid.uuid4().hex}"

    with start_worker(app, perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
        result = heartbeat.apply_async(args=[queue], queue=queue, ignore_result=False)
        result.get(timeout=30)

    assert result.successful()
    assert Beacon.objects.filter(name=f"queue:{queue}").exists()


def test_beat_sends_a_heartbeat_to_every_queue_and_the_outbox_sweep():
    schedule = app.conf.beat_schedule
    queues = {entry["args"][0] for entry in schedule.values() if entry["task"] == "health.heartbeat"}
    assert queues == set(settings.QUEUES_BY_KIND.values())
    assert schedule["outbox-sweep"]["task"] == "outbox.sweep"


def test_the_every_second_runs_log_only_when_they_did_something():
    import logging

    from celery.app.trace import LOG_FAILURE, LOG_RECEIVED, LOG_SUCCESS

    from portal.celery import RoutineRunsQuiet

    def kept(msg, args):
        record = logging.LogRecord("celery", logging.INFO, __file__, 1, msg, None, None)
        record.args = args  # a dict, as celery passes it (LogRecord's constructor unwraps a 1-tuple)
        return RoutineRunsQuiet().filter(record)

    enter = "outbox.sweep"
    assert not kept(LOG_RECEIVED, {"name": enter, "id": "x"})
    assert not kept(LOG_SUCCESS, {"name": enter, "id": "x", "runtime": 0.004, "return_value": "0"})
    assert kept(LOG_SUCCESS, {"name": enter, "id": "x", "runtime": 0.2, "return_value": "12"})
    assert kept(LOG_FAILURE, {"name": enter, "id": "x", "exc": "OperationalError", "description": "raised"})
    assert not kept("Scheduler: Sending due task %s (%s)", ("outbox-sweep", enter))
    assert kept(
        "Scheduler: Sending due task %s (%s)", ("routing-supplements-expire", "routing.supplements_expire")
    )
    assert kept(LOG_RECEIVED, {"name": "documents.tasks.generate_document", "id": "y"})


def test_no_log_record_can_make_the_filter_raise():
    """Beat died for good when it logged a failed send: its args held a list, and `list in frozenset`
    raised TypeError out of the filter into beat's tick. Every record is kept or dropped, never raised on."""
    import logging

    from portal.celery import RoutineRunsQuiet

    traceback_lines = ['  File "celery/beat.py", line 1\n']
    odd_args = [
        (ValueError("Redis down"), traceback_lines),  # beat's "Message Error: %s\n%s"
        ("entry", ["a", "list"]),
        ("entry", {"a": "dict"}),
        {"name": ["unhashable"], "return_value": "0"},
        {"name": {"x": 1}},
        (None, None),
        (),
        None,
    ]
    for args in odd_args:
        for msg in ("Message Error: %s\n%s", "Scheduler: Sending due task %s (%s)", None, 42):
            record = logging.LogRecord("celery.beat", logging.ERROR, __file__, 1, msg, None, None)
            record.args = args
            assert RoutineRunsQuiet().filter(record) is True

    # The same record through a real logger with the filter attached, as beat logs it.
    logger = logging.getLogger("celery.beat")
    logger.error("Message Error: %s\n%s", ValueError("Redis down"), traceback_lines)


def test_beat_says_once_that_the_broker_is_down_instead_of_a_traceback_per_entry_per_tick():
    """bench/faults.py: a 60 s Redis outage left 219 tracebacks in beat's log. Now one line a minute;
    an error that is not the broker's keeps its traceback."""
    import logging
    import sys

    import redis
    from kombu.exceptions import OperationalError

    from portal.celery import BrokerDownSaidOnce

    def record_of(error):
        try:
            try:
                raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.") from None
            except redis.exceptions.ConnectionError as cause:
                raise error from cause
        except Exception:  # noqa: BLE001
            exc_info = sys.exc_info()
        record = logging.LogRecord(
            "celery.beat", logging.ERROR, __file__, 1, "Message Error: %s\n%s", None, exc_info
        )
        record.args = (exc_info[1], ["  File x\n"])
        return record

    quiet = BrokerDownSaidOnce()
    first = record_of(OperationalError("Error 111"))
    assert quiet.filter(first) is True
    assert first.exc_info is None
    assert "broker unreachable" in first.getMessage()
    assert quiet.filter(record_of(OperationalError("Error 111"))) is False  # the next tick: dropped
    assert quiet.filter(record_of(RuntimeError("channel disconnected"))) is False  # its cause is Redis's

    other = logging.LogRecord("celery.beat", logging.ERROR, __file__, 1, "Message Error: %s\n%s", None, None)
    try:
        raise ValueError("a bug in a task's arguments")
    except ValueError:
        other.exc_info = sys.exc_info()
    other.args = (other.exc_info[1], [])
    assert quiet.filter(other) is True
    assert other.exc_info is not None

    quiet._said_at -= BrokerDownSaidOnce.BROKER_DOWN_SAY_EVERY  # a minute later, still down
    assert quiet.filter(record_of(OperationalError("Error 111"))) is True
    for odd in (None, 42, "Message Error", {"a": 1}):
        record = logging.LogRecord("celery.beat", logging.ERROR, __file__, 1, "Message Error: %s", None, None)
        record.args, record.exc_info = None, odd
        assert quiet.filter(record) is True


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="Linux autogroups only")
def test_a_worker_started_under_nice_carries_its_niceness_to_its_whole_session():
    """honcho and the benches start each process in a session of its own, where a plain `nice` is
    weighed only against the same session: the documents worker must lower its session too."""
    import subprocess
    import sys

    code = (
        "import portal.celery as c; c.niceness_kept_against_other_sessions(); "
        "print(open('/proc/self/autogroup').read())"
    )
    run = subprocess.run(
        ["nice", "-n", "7", sys.executable, "-c", code],
        start_new_session=True,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip().endswith("nice 7")

import os
import uuid

from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from portal.celery import app
from portal.tasks import HEARTBEAT_KEY, heartbeat


def test_a_task_round_trips_through_a_real_worker():
    """A real worker (celery's test worker, in a thread) takes the task from the configured broker:
    Redis when REDIS_URL is set (CI), the filesystem transport otherwise (make run's embedded mode)."""
    if os.environ.get("REDIS_URL"):
        assert app.conf.broker_url.startswith("redis://")
    else:
        assert app.conf.broker_url == "filesystem://"
    cache.delete(HEARTBEAT_KEY)
    # A queue of its own: other test processes queue real tasks for their own databases,
    # and this worker must not run those.
    queue = f"roundtrip-{uuid.uuid4().hex}"

    with start_worker(app, perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
        result = heartbeat.apply_async(queue=queue, ignore_result=False)
        ran_at = result.get(timeout=30)

    assert result.successful()
    assert cache.get(HEARTBEAT_KEY) == ran_at


def test_beat_schedule_lives_in_code():
    assert app.conf.beat_schedule["worker-heartbeat"]["task"] == "portal.tasks.heartbeat"


def test_the_every_second_runs_log_only_when_they_did_something():
    import logging

    from celery.app.trace import LOG_FAILURE, LOG_RECEIVED, LOG_SUCCESS

    from portal.celery import RoutineRunsQuiet

    def kept(msg, args):
        record = logging.LogRecord("celery", logging.INFO, __file__, 1, msg, None, None)
        record.args = args  # a dict, as celery passes it (LogRecord's constructor unwraps a 1-tuple)
        return RoutineRunsQuiet().filter(record)

    enter = "procedures.dossiers_enter"
    assert not kept(LOG_RECEIVED, {"name": enter, "id": "x"})
    assert not kept(LOG_SUCCESS, {"name": enter, "id": "x", "runtime": 0.004, "return_value": "0"})
    assert kept(LOG_SUCCESS, {"name": enter, "id": "x", "runtime": 0.2, "return_value": "12"})
    assert kept(LOG_FAILURE, {"name": enter, "id": "x", "exc": "OperationalError", "description": "raised"})
    assert not kept("Scheduler: Sending due task %s (%s)", ("procedures-dossiers-enter", enter))
    assert kept("Scheduler: Sending due task %s (%s)", ("worker-heartbeat", "portal.tasks.heartbeat"))
    assert kept(LOG_RECEIVED, {"name": "documents.tasks.generate_document", "id": "y"})

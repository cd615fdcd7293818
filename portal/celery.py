"""The Celery application.

With REDIS_URL set, Redis is the broker and the result store. Without it
(the embedded default of `make run`), workers still run as separate processes
and talk through kombu's filesystem transport under var/, so the product a
newcomer tries is asynchronous exactly as in production — only the transport
differs. The periodic schedule lives here, in code.
"""

import gc
import logging
import os
import sys
import time

from celery import Celery, signals
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks the scheduler sends every few seconds; their lines are kept only when a run did work.
ROUTINE_TASKS = frozenset({"outbox.sweep", "health.heartbeat"})


class RoutineRunsQuiet(logging.Filter):
    """Drops the "sending", "received" and "succeeded: 0/None" lines of ROUTINE_TASKS, which would
    otherwise be several log lines a second at INFO, all day. A run that did work, or failed, is
    still logged.

    A filter runs inside whatever process logs, beat's tick included: it must accept any record
    (issue 17: a list in `args` made `in` raise TypeError and ended beat for good). Whatever it
    cannot read, it keeps."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return not self._routine(record)
        except Exception:  # noqa: BLE001 - a log filter must never raise into the caller
            return True

    @staticmethod
    def _routine(record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg in (LOG_RECEIVED, LOG_SUCCESS) and isinstance(args, dict):
            name = args.get("name")
            if not (isinstance(name, str) and name in ROUTINE_TASKS):
                return False
            return record.msg == LOG_RECEIVED or args.get("return_value") in ("0", "None")
        # beat: "Scheduler: Sending due task %s (%s)", entry name and task name
        if isinstance(args, tuple) and len(args) == 2 and isinstance(args[1], str):
            return args[1] in ROUTINE_TASKS and "Sending due task" in str(record.msg)
        return False


class BrokerDownSaidOnce(logging.Filter):
    """While the broker is down, beat fails to send every due entry, every tick, and logs each
    failure with two copies of the stack ("Message Error: %s\n%s", exc_info and the formatted stack):
    hundreds of tracebacks a minute that bury what an operator needs. A send that failed because the
    broker cannot be reached is said once per BROKER_DOWN_SAY_EVERY seconds, in one line; the
    other failures of that kind are dropped. Any other error keeps its traceback.

    Like every filter here it runs inside beat's tick, so it must accept any record and never raise."""

    BROKER_DOWN_SAY_EVERY = 60.0

    def __init__(self) -> None:
        super().__init__()
        self._said_at = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return self._filter(record)
        except Exception:  # noqa: BLE001 - a log filter must never raise into the caller
            return True

    def _filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith("Message Error")):
            return True
        error = (
            record.exc_info[1] if isinstance(record.exc_info, tuple) and len(record.exc_info) == 3 else None
        )
        if not _broker_unreachable(error):
            return True
        now = time.monotonic()
        if now - self._said_at < self.BROKER_DOWN_SAY_EVERY:
            return False
        self._said_at = now
        record.msg = "broker unreachable, due tasks not sent (%s); said again in %d s while it lasts"
        record.args = (error, int(self.BROKER_DOWN_SAY_EVERY))
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _broker_unreachable(error: BaseException | None) -> bool:
    """Whether this error, or one it was raised from, is a failure to reach the broker."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    unreachable = (ConnectionError, TimeoutError, OperationalError, RedisConnectionError, RedisTimeoutError)
    seen = 0
    while error is not None and seen < 10:  # a chain, bounded: a cycle must not hang beat
        if isinstance(error, unreachable):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


for _name in ("celery.beat", "celery.worker.strategy", "celery.app.trace"):
    logging.getLogger(_name).addFilter(RoutineRunsQuiet())
logging.getLogger("celery.beat").addFilter(BrokerDownSaidOnce())


# Rendering a page leaves a few thousand objects in reference cycles (WeasyPrint's boxes point at
# their parents). Left to Python's own schedule, full collections come only after tens of thousands
# of such objects have piled up: a worker then held about 8 MB of garbage at its peaks, and its
# memory kept rising for its first few hundred documents as those peaks spread over new pages. A
# worker process therefore collects after every task, which keeps it at one task's high-water mark.
# That is cheap only when the process's long-lived objects (modules, fonts, templates, keys) are
# frozen out of the collector's walk: 2 ms a task instead of 50-130 ms.
# 0 until this process freezes (gc.get_freeze_count() would tell too, but it walks every frozen
# object to count them: 20 ms).
_modules_when_frozen = 0


def _freeze_long_lived() -> None:
    global _modules_when_frozen
    gc.collect()
    gc.freeze()
    _modules_when_frozen = len(sys.modules)


@signals.worker_init.connect
def niceness_kept_against_other_sessions(**_kwargs) -> None:
    """A worker started under `nice` (the documents and notifications workers) stays behind the others.

    On Linux with autogroups (the kernel default on most machines), the scheduler first shares the
    CPU equally between sessions and applies a process's nice only inside its own session. honcho
    (`make run`) and the benches start each process in a session of its own, so a `nice -n 10` PDF
    worker took a full share beside the routing worker, and a burst of 500 PDFs pushed hand-offs to
    2 s (bench/handoff.py, p95). The session's own nice (/proc/self/autogroup) is what counts
    between sessions; raising it needs no privilege. Elsewhere (no autogroups, not Linux) nothing
    changes. Under systemd each unit is a cgroup, and CPUWeight= is the knob (docs/operations.md)."""
    niceness = os.nice(0)
    if niceness <= 0:
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(niceness))
    except OSError:
        pass  # no autogroups here: nice already applies across the whole machine


@signals.worker_process_init.connect
def worker_process_ready(**_kwargs) -> None:
    """A worker process, once forked: load what documents need, then freeze what it holds."""
    from documents.rendering import renderer_warm

    renderer_warm()
    _freeze_long_lived()


@signals.task_postrun.connect
def task_garbage_collect(**_kwargs) -> None:
    """Free a finished task's garbage now, in a worker process that froze its long-lived objects.
    Elsewhere (a web process running a task eagerly, tests) a full collection would walk every
    object, so nothing is done. A signal handler runs in the worker's own loop: it never raises."""
    try:
        _collect_after_task()
    except Exception:  # noqa: BLE001 - housekeeping must not fail the worker
        logging.getLogger(__name__).exception("garbage collection after a task failed")


def _collect_after_task() -> None:
    if not _modules_when_frozen:
        return
    if len(sys.modules) != _modules_when_frozen:
        # The task ran code this process had not loaded before. What its modules made lives as
        # long as the process, so it joins the frozen objects; this happens a handful of times
        # in a worker's life, and a task's own leftovers are collected first.
        _freeze_long_lived()
    else:
        gc.collect()


def connections_forget() -> None:
    """Close every cached broker connection and drop the app's pools, so the next publish connects
    to whatever `broker_url` says now (tests that point the app at a private Redis use it).

    kombu keeps its pools in a process-wide registry keyed by broker URL: closing one pool without
    clearing that registry would hand the closed pool back on the next publish.
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None

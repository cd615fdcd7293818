"""The Celery application.

With REDIS_URL set, Redis is the broker and the result store. Without it
(the embedded default of `make run`), workers still run as separate processes
and talk through kombu's filesystem transport under var/, so the product a
newcomer tries is asynchronous exactly as in production — only the transport
differs. The periodic schedule lives here, in code.
"""

import logging
import os

from celery import Celery
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks the scheduler sends every second or so; their lines are kept only when a run did work.
ROUTINE_TASKS = frozenset({"procedures.dossiers_enter"})


class RoutineRunsQuiet(logging.Filter):
    """Drops the "sending", "received" and "succeeded: 0" lines of ROUTINE_TASKS, which would
    otherwise be two or three log lines a second at INFO, all day. A run that entered dossiers, or
    failed, is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg in (LOG_RECEIVED, LOG_SUCCESS) and isinstance(args, dict):
            return not (args.get("name") in ROUTINE_TASKS and args.get("return_value", "0") == "0")
        # beat: "Scheduler: Sending due task %s (%s)", entry name and task name
        return not (isinstance(args, tuple) and len(args) == 2 and args[1] in ROUTINE_TASKS)


for _name in ("celery.beat", "celery.worker.strategy", "celery.app.trace"):
    logging.getLogger(_name).addFilter(RoutineRunsQuiet())


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

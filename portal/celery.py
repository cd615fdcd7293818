"""The Celery application.

With REDIS_URL set, Redis is the broker and the result store. Without it
(the embedded default of `make run`), workers still run as separate processes
and talk through kombu's filesystem transport under var/, so the product a
newcomer tries is asynchronous exactly as in production — only the transport
differs. The periodic schedule lives here, in code.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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

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

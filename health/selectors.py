"""What the status page reports: each part of the system, with a status an operator can act on.

Readiness (`ready`) is kept apart on purpose: it says only whether this web node can serve (its
database answers). Redis, the workers, the scheduler and the outbox are system-wide; a load
balancer that pulled every node because Redis is down would turn a degraded service into none.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Beacon, Lease

logger = logging.getLogger(__name__)


def ready() -> bool:
    """This node can serve: its database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True


def _age(at: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return round((now - at).total_seconds(), 1) if at else None


def _broker() -> dict:
    if not settings.REDIS_URL:
        return {"name": "redis", "status": "ok", "detail": "embedded mode: filesystem broker, file cache"}
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except Exception as error:  # noqa: BLE001 - unreachable, refused, timed out, bad auth …
        logger.warning("status: Redis unreachable", exc_info=True)
        return {
            "name": "redis",
            "status": "unreachable",
            "detail": type(error).__name__,  # the message may name hosts: it is in the web's log
            "action": "Start Redis (or fix REDIS_URL). Filing goes on; hand-offs, PDFs and "
            "notifications wait in the database and go out when Redis is back.",
        }
    return {"name": "redis", "status": "ok"}


def _queues(now: datetime.datetime) -> list[dict]:
    seen = dict(Beacon.objects.filter(name__startswith="queue:").values_list("name", "seen_at"))
    limit = settings.HEALTH_SILENT_SECONDS
    lines = []
    for kind, queue in settings.QUEUES_BY_KIND.items():
        age = _age(seen.get(f"queue:{queue}"), now)
        silent = age is None or age > limit
        lines.append(
            {
                "name": f"worker:{kind}",
                "queue": queue,
                "status": "silent" if silent else "ok",
                "last_seen_seconds": age,
                "action": f"No worker has taken a task from queue {queue!r} for {limit} s: start or "
                "restart its worker (Procfile), or look for a backlog (status of the scheduler and Redis)."
                if silent
                else "",
            }
        )
    return lines


def _scheduler(now: datetime.datetime) -> dict:
    lease = Lease.objects.filter(name="beat").first()
    age = _age(lease.renewed_at if lease else None, now)
    silent = age is None or age > settings.HEALTH_BEAT_LEASE_SECONDS
    return {
        "name": "scheduler",
        "status": "silent" if silent else "ok",
        "last_seen_seconds": age,
        "action": "No scheduler (celery beat) has renewed its lease: start one. Filing and "
        "hand-offs go on through the relay; periodic work (sweeps, deadlines, reminders) waits."
        if silent
        else "",
    }


def _relays(now: datetime.datetime) -> dict:
    latest = Beacon.objects.filter(name__startswith="relay:").order_by("-seen_at").first()
    age = _age(latest.seen_at if latest else None, now)
    silent = age is None or age > max(3 * settings.OUTBOX_SWEEP_SECONDS, 3 * settings.OUTBOX_BEACON_SECONDS)
    return {
        "name": "relay",
        "status": "silent" if silent else "ok",
        "last_seen_seconds": age,
        "action": "No relay (manage.py outbox_relay) is running: start one. Until then the "
        "scheduler's sweep enters dossiers every OUTBOX_SWEEP_SECONDS."
        if silent
        else "",
    }


def status() -> dict:
    """Every check, and an overall "ok" or "problem"."""
    now = timezone.now()
    if not ready():
        lines = [
            {
                "name": "database",
                "status": "unreachable",
                "action": "Start PostgreSQL or fix DATABASE_URL: nothing works without it.",
            },
            _broker(),
        ]
    else:
        lines = [{"name": "database", "status": "ok"}, _broker(), _scheduler(now), _relays(now)]
        lines += _queues(now)
        for path in settings.HEALTH_CHECKS:
            try:
                lines += import_string(path)()
            except Exception as error:  # noqa: BLE001 - a broken check is itself a problem to show
                logger.exception("status check %s failed", path)
                lines.append({"name": path, "status": "error", "detail": type(error).__name__})
    problems = [line["name"] for line in lines if line["status"] != "ok"]
    return {"status": "problem" if problems else "ok", "problems": problems, "checks": lines}

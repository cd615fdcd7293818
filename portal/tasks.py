from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task
def heartbeat() -> float:
    """Run by beat every 30 s: proves the scheduler, broker and a worker are all alive."""
    now = timezone.now().timestamp()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver")
def deliver(notification_id: int) -> str:
    """Thin: send one queued notification (safe to run twice; the service retries with backoff)."""
    return services.notification_deliver(notification_id=notification_id).status


@shared_task(name="notifications.sweep")
def sweep() -> int:
    """Re-queue notifications stuck in queued (the broker was down at commit, a worker died)."""
    return services.notifications_sweep()

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver")
def deliver(notification_id: int) -> str:
    """A task published, one per notification, before the outbox relay sent them: still in a queue
    at an upgrade, it sends its row if due (the row lock and status make it harmless)."""
    return services.notification_deliver(notification_id=notification_id).status

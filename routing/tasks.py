"""Thin tasks: ids in, a service, safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services

HANDOFF_TASK = "routing.handoff"


@shared_task(bind=True, name=HANDOFF_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def handoff(self, message_id: int) -> None:
    try:
        services.message_process(message_id=message_id)
    except Exception as error:  # noqa: BLE001 - every failure is counted, then retried or dead-lettered
        message = services.message_failed(message_id=message_id, error=error)
        if message.state == message.State.DEAD:
            return
        raise self.retry(
            countdown=services.retry_delay(attempts=message.attempts),
            max_retries=None,
            queue=settings.ROUTING_QUEUE,
        ) from error


@shared_task(name="routing.supplements_expire", ignore_result=True)
def supplements_expire() -> int:
    return len(services.supplements_expire())

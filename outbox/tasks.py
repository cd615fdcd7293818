"""Thin tasks: the scheduler's sweep, which does the relay's work when no relay is running."""

from celery import shared_task

from . import services


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> int:
    return services.drain_all()

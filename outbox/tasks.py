"""Thin tasks: the scheduler's sweep, which does the relay's work when no relay is running."""

from celery import shared_task

from . import services


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> int:
    return services.drain_all()


@shared_task(name=services.DRAIN_TASK, ignore_result=True)
def drain(source_name: str | None = None, kind: str = "routing") -> int:
    """A worker's share of the relay's work: one batch of each source its kind of worker drains
    (the relay sends each queue its own), or of the one source named."""
    if source_name is None:
        return services.drain_share(kind=kind)
    return services.drain_source(name=source_name)

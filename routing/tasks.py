"""Thin tasks: ids in, a service, safe to run twice."""

from celery import shared_task

from . import actions


@shared_task(name="routing.supplements_expire", ignore_result=True)
def supplements_expire() -> int:
    return len(actions.supplements_expire())

from celery import shared_task

from . import services


@shared_task(name="procedures.drafts_purge")
def drafts_purge() -> int:
    return services.drafts_purge()

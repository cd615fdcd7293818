from celery import shared_task

from . import services


@shared_task(name="procedures.dossier_receipt_record")
def dossier_receipt_record(dossier_id: int) -> int:
    return services.receipt_record(dossier_id=dossier_id).pk


@shared_task(name="procedures.drafts_purge")
def drafts_purge() -> int:
    return services.drafts_purge()

from celery import shared_task

from .services import document_generate, documents_sweep


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def generate_document(document_id: int) -> str:
    return document_generate(document_id=document_id).code


@shared_task(name="documents.sweep")
def sweep() -> int:
    return documents_sweep()

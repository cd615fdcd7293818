from celery import shared_task
from django.core.exceptions import ImproperlyConfigured

from .services import document_generate, documents_sweep


# A missing signing key is for the operator to fix, not for five retries; the sweep asks again.
@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(ImproperlyConfigured,),
    retry_backoff=True,
    max_retries=5,
)
def generate_document(document_id: int) -> str:
    return document_generate(document_id=document_id).code


@shared_task(name="documents.sweep")
def sweep() -> int:
    return documents_sweep()

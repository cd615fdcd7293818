from celery import shared_task

from .services import document_generate


# Published once per document before the outbox relay rang the documents' workers (bench/documents.py
# still times one through Celery's tracer). A message of before an upgrade renders its document if it
# is still pending; a failure is left to the outbox's drain, which retries it with backoff.
@shared_task
def generate_document(document_id: int) -> str:
    return document_generate(document_id=document_id).code

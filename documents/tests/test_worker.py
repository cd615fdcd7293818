import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from documents.models import Document
from documents.samples import sample_request
from documents.tasks import generate_document
from outbox import services as outbox_services
from portal.celery import app


def _wait_for(condition, timeout=60.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_rung_by_the_relay_generates_the_documents_once(demo, settings, tmp_path):
    """The relay rings the documents' queue (one drain task); its worker renders every waiting
    document; a later ring, and a `generate_document` message of before the outbox relay, change
    nothing."""
    settings.MEDIA_ROOT = tmp_path
    queue = f"documents-{uuid.uuid4().hex}"
    settings.QUEUES_BY_KIND = {**settings.QUEUES_BY_KIND, "documents": queue}
    settings.OUTBOX_DISPATCH_SECONDS = 0.1
    outbox_services._dispatched_at.clear()
    documents = [sample_request(Document.Kind.RECEIPT, key_suffix=f"worker-{n}") for n in range(2)]

    def issued():
        outbox_services.ring("documents")
        return not Document.objects.filter(pk__in=[d.pk for d in documents], status="pending").exists()

    with start_worker(app, perform_ping_check=False, shutdown_timeout=20, queues=[queue]):
        assert _wait_for(issued)
        stored = {d.pk: d for d in Document.objects.filter(pk__in=[d.pk for d in documents])}
        outbox_services.ring("documents")
        again = generate_document.apply_async(args=[documents[0].pk], queue=queue, ignore_result=False).get(
            timeout=60
        )

    assert again == documents[0].code
    for document in Document.objects.filter(pk__in=stored):
        assert document.file.open("rb").read(5) == b"%PDF-"
        assert (document.file.name, document.file_sha256) == (
            stored[document.pk].file.name,
            stored[document.pk].file_sha256,
        )

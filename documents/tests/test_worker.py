import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from documents.models import Document
from documents.samples import sample_request
from documents.tasks import generate_document
from portal.celery import app


@pytest.mark.django_db(transaction=True)
def test_a_worker_generates_the_document_and_a_second_run_changes_nothing(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = sample_request(Document.Kind.RECEIPT, key_suffix="worker")
    queue = f"documents-{uuid.uuid4().hex}"

    with start_worker(app, perform_ping_check=False, shutdown_timeout=20, queues=[queue]):
        first = generate_document.apply_async(args=[document.pk], queue=queue, ignore_result=False).get(
            timeout=60
        )
        document.refresh_from_db()
        stored = (document.file.name, document.file_sha256)
        second = generate_document.apply_async(args=[document.pk], queue=queue, ignore_result=False).get(
            timeout=60
        )

    assert first == second == document.code
    assert document.status == Document.Status.ISSUED
    assert document.file.open("rb").read(5) == b"%PDF-"
    document.refresh_from_db()
    assert (document.file.name, document.file_sha256) == stored

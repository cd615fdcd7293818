"""Generating a document holds its own row, not its issuer's: one agency's documents render side by side."""

import threading

import pytest
from django.db import connection, transaction

from documents import services
from documents.models import Document
from documents.samples import sample_request


@pytest.mark.django_db(transaction=True)
def test_two_documents_of_one_agency_render_at_the_same_time(demo, settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    settings.MEDIA_ROOT = tmp_path
    first = sample_request(Document.Kind.RECEIPT, key_suffix="lock-1")
    second = sample_request(Document.Kind.RECEIPT, key_suffix="lock-2")
    assert first.issuer_id == second.issuer_id
    first_rendering, first_may_finish = threading.Event(), threading.Event()
    render = services.render_pdf
    main = threading.current_thread()

    def render_first_slowly(html, **kwargs):
        if threading.current_thread() is not main:
            first_rendering.set()
            first_may_finish.wait(30)
        return render(html, **kwargs)

    monkeypatch.setattr(services, "render_pdf", render_first_slowly)

    def generate_first():
        try:
            services.document_generate(document_id=first.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=generate_first)
    worker.start()
    try:
        assert first_rendering.wait(30)
        with transaction.atomic():
            # Had the first render locked the agency's row, this would wait for it and fail here.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            services.document_generate(document_id=second.pk)
    finally:
        first_may_finish.set()
        worker.join(60)
    for document in (first, second):
        document.refresh_from_db()
        assert document.status == Document.Status.ISSUED

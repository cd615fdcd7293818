"""Issue 18, item 6, for officers: a file attached to a step is stored like a citizen's, under a
random name in the dossier's own folder, and opened from the step page under the name it had."""

from pathlib import Path

from django.urls import reverse

from accounts.models import User
from routing.models import StepState
from uploads.storage import dossier_folder
from uploads.tests.files import pdf_bytes, pdf_upload

from .conftest import file_dossier, handoffs_process, officer_of

MARITAL_STATUS = "1.004873"


def test_an_officers_file_is_stored_under_a_random_name_in_the_dossiers_folder(
    demo, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step = dossier.steps.get(state=StepState.WAITING)
    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    upload = pdf_upload("../../evil name.pdf")
    upload.content_type = "text/html"  # what the client claims is never kept
    done = client.post(
        reverse("routing:step_action", args=[step.pk, "hoan-thanh"]),
        {"outcome": step.definition.outcomes[0]["key"], "note": "Đã xác minh", "files": upload},
    )
    assert done.status_code == 302

    attachment = step.attachments.get()
    folder = dossier_folder(dossier.draft_ref or f"d{dossier.pk}")
    stored = Path(attachment.file.name)
    assert str(stored.parent) == folder
    assert "evil" not in stored.name
    assert ".." not in attachment.file.name
    assert stored.suffix == ".pdf"  # from the sniffed type
    assert Path(attachment.file.path).resolve().parent == (tmp_path / folder).resolve()
    assert attachment.name == "evil name.pdf"  # the shown name, without the path the client sent

    # The officer opens it from the step page, under its shown name and its sniffed type.
    page = client.get(reverse("routing:step", args=[step.pk]))
    link = reverse("routing:step_file", args=[step.pk, attachment.pk])
    assert link in page.text
    assert "evil name.pdf" in page.text
    opened = client.get(link)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"] == 'attachment; filename="evil name.pdf"'
    assert b"".join(opened.streaming_content) == pdf_bytes()

    # An officer of an agency the dossier never reaches may not open it.
    client.force_login(officer_of("HN-THUE"))
    assert client.get(link).status_code == 404

"""Issue 18, items 5 and 6, on routing's side: a supplement answer goes through the one upload
check (page and API), and an officer opens every file of a dossier at their agency."""

from django.urls import reverse

from accounts.models import User
from portal.demo import DEMO_CITIZEN_ID
from procedures.services import dossier_submit
from routing import actions
from routing.models import StepState
from uploads.tests.files import bad_files, pdf_bytes, pdf_upload

from .conftest import api_client_for, file_dossier, handoffs_process, officer_of

MARITAL_STATUS = "1.004873"


def _waiting_for_supplement():
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step = dossier.steps.get(state=StepState.WAITING)
    actions.supplement_request(
        step=step,
        officer=User.objects.get(username="chuyenvien.hotich"),
        missing=["Bản sao quyết định ly hôn"],
    )
    return dossier, step


def test_a_bad_supplement_file_is_refused_on_the_page_and_the_note_is_kept(demo, client):
    dossier, step = _waiting_for_supplement()
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    for kind, upload in bad_files().items():
        page = client.post(
            reverse("routing:supplement_answer", args=[dossier.code]),
            {"note": "Tôi gửi bản sao ly hôn", "files": upload},
        )
        assert page.status_code == 200, kind
        assert "Tôi gửi bản sao ly hôn" in page.text  # what she typed is still there
        assert f"Tệp “{upload.name}”" in page.text, kind  # the message names her file, says what to do
    assert "có mã độc nên không được nhận" in page.text  # the last one carried the EICAR string
    step.refresh_from_db()
    assert step.state == StepState.SUPPLEMENT
    assert not dossier.attachments.filter(component="bo-sung").exists()


def test_a_bad_supplement_file_is_refused_through_the_api(demo):
    dossier, step = _waiting_for_supplement()
    citizen = api_client_for(DEMO_CITIZEN_ID)
    for kind, upload in bad_files().items():
        answered = citizen.post(
            f"/api/v1/dossiers/{dossier.code}/supplement/",
            {"note": "Đã bổ sung", "files": [upload]},
            format="multipart",
        )
        assert answered.status_code == 400, (kind, answered.content)
        assert f"Tệp “{upload.name}”" in str(answered.json()), kind
    step.refresh_from_db()
    assert step.state == StepState.SUPPLEMENT
    assert not dossier.attachments.filter(component="bo-sung").exists()


def test_a_clean_supplement_is_stored_under_a_random_name_with_its_sniffed_type(demo):
    dossier, step = _waiting_for_supplement()
    upload = pdf_upload("Nguyen Thi Lan ly hon.pdf")
    upload.content_type = "text/html"  # what the client claims is never kept
    answered = api_client_for(DEMO_CITIZEN_ID).post(
        f"/api/v1/dossiers/{dossier.code}/supplement/", {"files": [upload]}, format="multipart"
    )
    assert answered.status_code == 200, answered.content
    attachment = dossier.attachments.get(component="bo-sung")
    assert attachment.name == "Nguyen Thi Lan ly hon.pdf"
    assert attachment.content_type == "application/pdf"
    assert "Nguyen" not in attachment.file.name
    assert "ly hon" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")


def test_the_officer_opens_every_file_from_the_step_page(demo, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies.models import Centre
    from procedures.models import Procedure
    from procedures.services import dossier_enter

    citizen = User.objects.get(username=DEMO_CITIZEN_ID)
    dossier = dossier_submit(
        form=Procedure.objects.get(code=MARITAL_STATUS).current_form(),
        centre=Centre.objects.get(code="000.00.01.H26"),
        channel="counter",
        applicant_citizen_id=DEMO_CITIZEN_ID,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=citizen,
        data={},
        files={"to-khai": SimpleUploadedFile("to-khai.pdf", pdf_bytes(), "application/pdf")},
    )
    dossier_enter(dossier_id=dossier.pk)
    handoffs_process()
    step = dossier.steps.get(state=StepState.WAITING)
    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    page = client.get(reverse("routing:step", args=[step.pk]))
    link = reverse("procedures:attachment", args=[dossier.code, dossier.attachments.get().pk])
    assert link in page.text
    opened = client.get(link)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == pdf_bytes()
    # An officer of another agency may not open it.
    client.force_login(officer_of("HN-THUE"))
    assert client.get(link).status_code == 404


def test_a_bad_file_is_refused_when_the_officer_finishes_a_step_and_the_note_is_kept(demo, client):
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step = dossier.steps.get(state=StepState.WAITING)
    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    finish = reverse("routing:step_action", args=[step.pk, "hoan-thanh"])
    outcome = step.definition.outcomes[0]["key"]
    for kind, upload in bad_files().items():
        page = client.post(finish, {"outcome": outcome, "note": "Đã xác minh với UBND xã", "files": upload})
        assert page.status_code == 200, kind  # the step page again, not the inbox
        assert "Đã xác minh với UBND xã" in page.text, kind  # what the officer typed is still there
        assert f"Tệp “{upload.name}”" in page.text, kind
        step.refresh_from_db()
        assert step.state == StepState.WAITING, kind
    assert "có mã độc nên không được nhận" in page.text  # the last one carried the EICAR string
    assert not step.attachments.exists()

    # A clean scan finishes the step.
    upload = pdf_upload("bien-ban-xac-minh.pdf")
    upload.content_type = "text/html"
    done = client.post(finish, {"outcome": outcome, "note": "Đã xác minh", "files": upload})
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.DONE
    assert step.attachments.get().name == "bien-ban-xac-minh.pdf"

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from documents.models import Document
from documents.services import document_generate
from documents.tests.pdftools import pdf_text
from procedures.models import Procedure
from procedures.services import dossier_enter, dossier_submit


@pytest.fixture
def reception(centre):
    return Agency.objects.create(
        code="TT-TEST",
        name="Trung tâm thử",
        kind=Agency.Kind.ONE_STOP,
        province=centre.ward.province,
        ward=centre.ward,
    )


def test_the_receipt_becomes_a_signed_pdf_held_by_the_applicant(
    catalogue, centre, filer, reception, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    dossier = dossier_submit(
        form=procedure.current_form(),
        centre=centre,
        channel="online",
        applicant_citizen_id=filer.citizen_id,
        applicant_name="Nguyễn Thị Mai",
        submitted_by=filer,
        data={"pages": 1, "copies": 1},
    )
    dossier_enter(dossier_id=dossier.pk)
    dossier_enter(dossier_id=dossier.pk)  # a second run: still one document

    document = Document.objects.get(kind=Document.Kind.RECEIPT, subject_ref=dossier.code)
    assert (document.issuer, document.owner) == (reception, filer)
    document = document_generate(document_id=document.pk)
    text = pdf_text(document.file.path)
    assert dossier.code in text
    assert "Nguyễn Thị Mai" in text
    assert "Bản chính giấy tờ cần chứng thực" in " ".join(text.split())
    # The appointment is the deadline's hour on its day, never midnight.
    due = timezone.localtime(dossier.due_at)
    assert f"{due.hour:02d} giờ {due.minute:02d} phút, ngày {due.day:02d} tháng {due.month:02d}" in text

    client.force_login(filer)
    slip = client.get(reverse("procedures:receipt", args=[dossier.code])).content.decode()
    assert reverse("documents:download", args=[document.code]) in slip

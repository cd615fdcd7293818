import pytest
from pyhanko.sign.validation.status import SignatureCoverageLevel

from documents.models import Document
from documents.pki import agency_credentials
from documents.samples import SAMPLES, sample_request
from documents.seals import open_seal
from documents.services import document_generate, verify_url

from .pdftools import pdf_info, pdf_pages, pdf_text, qr_contents, signature_status


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_document_renders_on_one_page_in_correct_vietnamese(demo, kind, tmp_path):
    document = document_generate(document_id=sample_request(kind).pk)
    text = " ".join(pdf_text(document.file.path).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert Document.Kind(kind).label.upper() in text.upper()
    assert document.code in text
    _prefix, context = SAMPLES[kind]
    name = context.get("applicant_name") or context.get("full_name") or context.get("owner_name")
    if name:
        assert name.upper() in text.upper()
    # Nothing spills onto a second page, where it would slide under the QR and signature box.
    assert pdf_pages(document.file.path) == 1
    signature = signature_status(document.file.open("rb").read())
    assert signature.bottom_line  # intact, valid and trusted
    assert signature.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # Its QR leads to its verify page, with a seal its issuer's key opens.
    scanned = qr_contents(document.file.path, tmp_path)
    assert scanned.startswith(verify_url(document) + "#mc1.")
    assert open_seal(scanned, agency_credentials(document.issuer).cert.public_key()).code == document.code


def test_the_queue_ticket_fits_an_80mm_roll_and_its_qr_leads_to_the_ticket(tmp_path):
    import datetime

    from documents.services import queue_ticket_pdf

    url = "http://127.0.0.1:8000/so/ABCDEF/"
    pdf = queue_ticket_pdf(
        centre_name="Trung tâm Phục vụ hành chính công phường Cầu Giấy",
        number="A012",
        service_name="Hộ tịch",
        issued_at=datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC),
        people_ahead=4,
        ticket_url=url,
        priority_label="Người cao tuổi",
    )
    path = tmp_path / "ticket.pdf"
    path.write_bytes(pdf)
    text = " ".join(pdf_text(path).split())
    assert "A012" in text
    assert "Trước bạn có 4 người" in text
    assert "Người cao tuổi" in text
    width_pt = float(pdf_info(path)["Page size"].split()[0])
    assert round(width_pt / 72 * 25.4) == 80
    assert qr_contents(path, tmp_path, dpi=200) == url

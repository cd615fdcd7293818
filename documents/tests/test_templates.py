import subprocess

import pytest

from documents.models import Document
from documents.samples import SAMPLES, sample_request
from documents.services import document_generate


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_document_renders_on_one_page_in_correct_vietnamese(demo, kind):
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

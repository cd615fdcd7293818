import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from uploads.checks import sniff, upload_check
from uploads.storage import stored_name

from .files import EICAR, bad_files, infected_pdf, pdf_bytes, pdf_upload, png_bytes


def _refusal(upload) -> str:
    with pytest.raises(ValidationError) as refused:
        upload_check(upload)
    return refused.value.code


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"GIF89a....", None),
        (b"<svg xmlns=", None),
        (b"", None),
    ],
)
def test_type_is_sniffed_from_the_bytes(head, kind):
    assert sniff(io.BytesIO(head + b"\x00" * 16)) == kind


def test_each_bad_file_of_the_issue_is_refused_with_its_reason():
    codes = {kind: _refusal(upload) for kind, upload in bad_files().items()}
    assert codes == {
        "html": "file_type",
        "svg": "file_type",
        "text named pdf": "file_type",
        "12 MB": "file_too_large",
        "eicar": "file_infected",
    }


def test_a_pdf_must_open_and_stay_within_the_page_limit(settings):
    settings.UPLOADS_MAX_PDF_PAGES = 3
    assert _refusal(SimpleUploadedFile("a.pdf", b"%PDF-1.4 <html><script>")) == "file_unreadable"
    assert _refusal(pdf_upload(pages=4)) == "too_many_pages"
    upload_check(pdf_upload(pages=3))


def test_size_limit_comes_from_settings(settings):
    settings.PROCEDURES_UPLOAD_MAX_BYTES = 1024
    assert _refusal(SimpleUploadedFile("scan.png", png_bytes() + b"\x00" * 2000)) == "file_too_large"
    upload_check(SimpleUploadedFile("scan.png", png_bytes()))


def test_the_sniffed_type_replaces_the_clients(settings):
    upload = SimpleUploadedFile("anh.txt", png_bytes(), content_type="text/html")
    upload_check(upload)
    assert upload.content_type == "image/png"
    name = stored_name(folder="dossiers/x", upload=upload)
    assert name.startswith("dossiers/x/")
    assert name.endswith(".png")
    assert "anh" not in name


def test_the_development_scanner_knows_the_eicar_file():
    # `make run` without clamd: the refusal can be seen with the standard test file.
    assert _refusal(SimpleUploadedFile("eicar.png", b"\x89PNG\r\n\x1a\n" + EICAR)) == "file_infected"


def test_clamd_finds_the_eicar_file_and_its_copy_inside_a_pdf(clamd):
    from uploads.scanners.contrib.clamd.scanner import ClamdScanner

    assert ClamdScanner().scan(io.BytesIO(EICAR)).startswith("Eicar-Test-Signature")
    assert ClamdScanner().scan(io.BytesIO(pdf_bytes(comment=EICAR))) is not None
    assert ClamdScanner().scan(io.BytesIO(pdf_bytes())) is None
    assert _refusal(infected_pdf()) == "file_infected"
    upload_check(pdf_upload())


def test_when_clamd_does_not_answer_the_upload_is_refused_with_try_again(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    settings.UPLOADS_SCANNER = "uploads.scanners.contrib.clamd.scanner.ClamdScanner"
    with pytest.raises(ValidationError) as refused:
        upload_check(pdf_upload("to-khai.pdf"))
    assert refused.value.code == "scanner_unavailable"
    assert "thử gửi lại sau ít phút" in refused.value.messages[0]

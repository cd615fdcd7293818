"""Issue 18 ("Precisely"): a file uploaded to /verify/ to check it goes through the same upload
check and limits as every file that enters (size, type — PDF only here —, page count, virus scan),
and the page says whether the PDF someone holds is the one issued."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from uploads.tests.files import bad_files, pdf_upload, png_bytes


def test_a_bad_file_is_refused_with_a_message_naming_it(client, issued):
    url = reverse("documents:verify", args=[issued.code])
    refused = {
        **bad_files(),
        "png": SimpleUploadedFile("anh-chup.png", png_bytes(), "image/png"),  # a good upload, but not a PDF
    }
    said = {}
    for kind, upload in refused.items():
        page = client.post(url, {"file": upload})
        assert page.status_code == 400, kind
        assert f"Tệp “{upload.name}”" in page.text, kind  # the message names the file, says what to do
        assert "khớp với văn bản" not in page.text, kind  # no verdict on a refused file
        said[kind] = page.text
    assert "có mã độc nên không được nhận" in said["eicar"]
    assert "Tệp “lon.pdf” nặng" in said["12 MB"]
    assert "Tệp “anh-chup.png” không phải PDF" in said["png"]


def test_a_pdf_over_the_page_limit_is_refused(client, issued, settings):
    settings.UPLOADS_MAX_PDF_PAGES = 3
    page = client.post(
        reverse("documents:verify", args=[issued.code]), {"file": pdf_upload("dai.pdf", pages=4)}
    )
    assert page.status_code == 400
    assert "Tệp “dai.pdf” có 4 trang, vượt giới hạn 3 trang" in page.text


def test_the_issued_pdf_matches_and_a_changed_copy_does_not(client, issued):
    url = reverse("documents:verify", args=[issued.code])
    with issued.file.open("rb") as stored:
        genuine = stored.read()
    page = client.post(url, {"file": SimpleUploadedFile("xac-nhan.pdf", genuine, "application/pdf")})
    assert page.status_code == 200
    assert "Tệp khớp với văn bản đã phát hành." in page.text

    changed = genuine.replace(b"%%EOF", b"%%EOF\n% sua\n", 1)
    page = client.post(url, {"file": SimpleUploadedFile("xac-nhan.pdf", changed, "application/pdf")})
    assert page.status_code == 200
    assert "Tệp không khớp với văn bản đã phát hành." in page.text

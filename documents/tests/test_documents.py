import io
import re
import unicodedata

import pydyf
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.status import SignatureCoverageLevel

from accounts.models import User
from documents.models import Access, Document
from documents.pki import agency_credentials
from documents.rendering import render_pdf
from documents.seals import InvalidSeal, open_seal
from documents.services import document_generate, document_request, marital_status_confirmation_request
from documents.signing.local import LocalKeySigner
from documents.signing.pdf import SIGNATURE_BOX, SignatureField
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD

from .pdftools import pdf_text, qr_contents, signature_status


def test_the_result_reads_as_correct_vietnamese(issued):
    text = pdf_text(issued.file.path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in text
    assert "NGUYỄN THỊ LAN" in text
    # The registry still says "Yên Hoà, Quận Cầu Giấy"; the result carries today's ward.
    assert "Phường Cầu Giấy, Thành phố Hà Nội" in text
    assert "Quận" not in text


def test_decomposed_diacritics_are_composed_before_rendering(civil_status):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    assert decomposed != "Nguyễn Thị Lan"
    document = document_request(
        key="nfd-test",
        kind=Document.Kind.MARITAL_STATUS,
        issuer=civil_status,
        number="1/T",
        context={"full_name": decomposed, "purpose": "thử"},
    )
    document = document_generate(document_id=document.pk)
    assert "Nguyễn Thị Lan" in pdf_text(document.file.path)


def test_the_qr_decodes_to_the_verify_url_with_a_valid_seal(issued, tmp_path):
    scanned = qr_contents(issued.file.path, tmp_path)
    assert scanned.startswith(f"{settings.SITE_URL}/verify/{issued.code}/#mc1.")
    seal = open_seal(scanned, agency_credentials(issued.issuer).cert.public_key())
    assert (seal.code, seal.kind, seal.issuer_code) == (issued.code, issued.kind, issued.issuer.code)
    assert seal.content_sha256 == issued.content_sha256


def test_a_tampered_or_foreign_seal_is_refused(issued, tmp_path, demo):
    scanned = qr_contents(issued.file.path, tmp_path)
    key = agency_credentials(issued.issuer).cert.public_key()
    prefix, payload, signature = scanned.split("#", 1)[1].split(".")
    forged = f"{prefix}.{payload[:-2]}AA.{signature}"
    with pytest.raises(InvalidSeal):
        open_seal(forged, key)
    other = agency_credentials(issued.issuer.__class__.objects.get(code="CA-000.00.01.H26"))
    with pytest.raises(InvalidSeal):
        open_seal(scanned, other.cert.public_key())


def test_the_issuer_certificate_is_public(client, issued):
    response = client.get(reverse("documents:issuer_certificate", args=[issued.issuer.code]))
    assert response.content == agency_credentials(issued.issuer).cert.public_bytes(Encoding.PEM)


def test_the_offline_verifier_command(issued, tmp_path):
    scanned = qr_contents(issued.file.path, tmp_path)
    cert = tmp_path / "issuer.pem"
    cert.write_bytes(agency_credentials(issued.issuer).cert.public_bytes(Encoding.PEM))
    out = io.StringIO()
    call_command("document_verify", scanned, "--cert", str(cert), stdout=out)
    assert "VALID" in out.getvalue()
    assert f"code={issued.code}" in out.getvalue()


def test_the_signature_validates_and_one_changed_byte_breaks_it(issued):
    pdf = issued.file.open("rb").read()
    status = signature_status(pdf)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert "Phường Cầu Giấy" in status.signing_cert.subject.human_friendly
    # The byte range leaves out the signature's hex string, brackets included, and nothing else.
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    _zero, gap_start, second_start, second_length = signature.byte_range
    assert re.fullmatch(rb"<[0-9A-F]+>", pdf[gap_start:second_start])
    assert second_start + second_length == len(pdf)
    assert reader.input_version == (2, 0)
    first, _last = reader.document_id  # PDF 2.0 asks the trailer for one
    assert len(first) == 16
    # The field lies over the box the page draws, and the box shows the signature's own time.
    field = signature.sig_field
    assert [float(number) for number in field["/Rect"]] == list(SIGNATURE_BOX)
    assert field.raw_get("/P").idnum == reader.root["/Pages"]["/Kids"].raw_get(0).idnum  # page 1
    signed_at = timezone.localtime(signature.self_reported_timestamp)
    assert f"Thời gian ký: {signed_at:%H:%M:%S %d/%m/%Y}" in pdf_text(issued.file.path)

    # Who signed, as the signature dictionary names them: "Bộ phận…" becomes "Rộ phận…". The file
    # still reads as a PDF; only its digest is wrong.
    name = pdf.index(b"/Name <feff0042") + len(b"/Name <feff00")
    tampered = pdf[:name] + b"5" + pdf[name + 1 :]
    broken = signature_status(tampered)
    assert not broken.intact
    assert not broken.bottom_line


def test_signing_needs_the_field_written_into_the_pdf(civil_status):
    field = SignatureField(signer_name="x", location="y", signed_at=timezone.localtime())
    with pytest.raises(ValueError, match="finisher"):
        field.sign(
            render_pdf("<p>Không có ô chữ ký</p>", stylesheet="a4"), LocalKeySigner(), agency=civil_status
        )


def test_asking_twice_gives_the_same_document(issued, civil_status):
    again = marital_status_confirmation_request(
        citizen_id=DEMO_CITIZEN_ID, purpose="Đăng ký kết hôn", issuer=civil_status, number="15/XNTTHN"
    )
    assert again.pk == issued.pk
    regenerated = document_generate(document_id=issued.pk)
    assert regenerated.file_sha256 == issued.file_sha256
    assert regenerated.file.name == issued.file.name
    assert Document.objects.count() == 1


def test_the_verify_page_is_public_minimal_and_logged(client, issued):
    response = client.get(reverse("documents:verify", args=[issued.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Văn bản hợp lệ." in body
    assert issued.file_sha256 in body
    assert "N. T. Lan" in body
    assert DEMO_CITIZEN_ID not in body  # no ID number, no birth date on a public page
    assert "14/03/1988" not in body
    assert issued.accesses.filter(action=Access.Action.VERIFY).count() == 1


def test_only_people_with_a_reason_may_download(client, issued):
    url = reverse("documents:download", args=[issued.code])
    assert client.get(url).status_code == 302  # to sign in

    other = User.objects.create_user("001090000001", password="x-long-password-1", citizen_id="001090000001")
    client.force_login(other)
    assert client.get(url).status_code == 404

    issued.owner = User.objects.get(username=DEMO_CITIZEN_ID)
    issued.save()
    client.login(username=DEMO_CITIZEN_ID, password=DEMO_PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert issued.accesses.filter(action=Access.Action.DOWNLOAD).count() == 1

    client.login(username="chuyenvien.hotich", password=DEMO_PASSWORD)  # the issuing agency's officer
    assert client.get(url).status_code == 200


def test_a_supervisor_revokes_with_a_reason_and_the_page_says_so(client, issued):
    url = reverse("documents:revoke", args=[issued.code])
    client.login(username="canbo.caugiay", password=DEMO_PASSWORD)
    assert client.post(url, {"reason": "Cấp nhầm"}).status_code == 404

    client.login(username="giamsat.hanoi", password=DEMO_PASSWORD)
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Hãy ghi lý do thu hồi" in refused.content.decode()

    client.post(url, {"reason": "Cấp nhầm người"})
    issued.refresh_from_db()
    assert issued.revoked_at is not None
    assert not issued.is_valid
    client.logout()
    body = client.get(reverse("documents:verify", args=[issued.code])).content.decode()
    assert "đã bị thu hồi" in body
    assert "Cấp nhầm người" in body


class SignerWithoutKey:
    """A signing key the operator has not installed yet."""

    def __init__(self):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("no signing key for this agency")


def _requested(civil_status, key, minutes_ago=0):
    import datetime

    document = document_request(
        key=key, kind=Document.Kind.MARITAL_STATUS, issuer=civil_status, number=key, context={}
    )
    Document.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return document


def test_the_documents_drain_renders_what_waits_oldest_first(civil_status, settings, tmp_path):
    """No task exists per document (the broker may have been down at commit): the pending rows are
    the work, and the documents' drain renders each once."""
    from outbox.services import drain_source

    settings.MEDIA_ROOT = tmp_path
    older = _requested(civil_status, "older", minutes_ago=5)
    newer = _requested(civil_status, "newer")
    _requested(civil_status, "abandoned", minutes_ago=2 * 24 * 60)  # for a person to look at
    done = _requested(civil_status, "done", minutes_ago=5)
    Document.objects.filter(pk=done.pk).update(status=Document.Status.ISSUED)
    assert drain_source(name="documents", limit=1) == 1
    assert Document.objects.get(pk=older.pk).status == Document.Status.ISSUED
    assert Document.objects.get(pk=newer.pk).status == Document.Status.PENDING
    assert drain_source(name="documents") == 1
    assert drain_source(name="documents") == 0
    assert Document.objects.get(pk=newer.pk).status == Document.Status.ISSUED
    assert Document.objects.get(key="abandoned").status == Document.Status.PENDING


def test_a_document_that_fails_is_tried_again_after_its_backoff(civil_status, settings, tmp_path):
    import datetime

    from documents.services import documents_due, documents_generate
    from outbox.models import Retry

    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENTS_SIGNER_BACKEND = f"{__name__}.SignerWithoutKey"
    document = _requested(civil_status, "unsigned")
    assert documents_generate() == 1  # tried once, failed, not again in the same drain
    retry = Retry.objects.get(source="documents", item_id=document.pk)
    assert (retry.attempts, retry.last_error) == (1, "ImproperlyConfigured: no signing key for this agency")
    assert documents_generate() == 0  # waiting for its retry, 2 s later
    soon = timezone.now() + datetime.timedelta(seconds=3)
    assert list(documents_due(now=soon)) == [document]
    Retry.objects.filter(pk=retry.pk).update(retry_at=timezone.now())  # its retry is due
    settings.DOCUMENTS_SIGNER_BACKEND = "documents.signing.local.LocalKeySigner"  # the key installed
    assert documents_generate() == 1
    document.refresh_from_db()
    assert document.status == Document.Status.ISSUED
    assert not Retry.objects.exists()
    # A document still failing a day after its request is failed for good: no drain takes it.
    assert not documents_due(now=timezone.now() + datetime.timedelta(days=1, seconds=1)).exists()


def test_a_signature_field_refuses_what_it_cannot_sign(civil_status):
    with pytest.raises(ValueError, match="time zone"):
        SignatureField(signer_name="x", location="y", signed_at=timezone.now().replace(tzinfo=None))
    field = SignatureField(signer_name="x", location="y", signed_at=timezone.localtime())
    pdf = render_pdf("<p>Một trang</p>", stylesheet="a4", finisher=field)
    signed = field.sign(pdf, LocalKeySigner(), agency=civil_status)
    assert signature_status(signed).intact
    # A page with a form of its own (WeasyPrint's pdf_forms) keeps it: no field replaces it.
    with_form = pydyf.PDF()
    with_form.catalog["AcroForm"] = pydyf.Dictionary({"Fields": pydyf.Array()})
    with pytest.raises(ValueError, match="already has a form"):
        field(None, with_form)
    # Signed bytes have no room left to fill: a clear refusal, not a second signature over the first.
    with pytest.raises(ValueError, match="not the PDF last written with this field"):
        field.sign(signed, LocalKeySigner(), agency=civil_status)

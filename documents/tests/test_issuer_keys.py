"""/verify/keys/<agency>.pem: the public certificate of an agency that signs, a 404 for one that
does not, and never a key made because somebody asked (issue 18, item 13)."""

from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.test import Client

from agencies.models import Agency


def _agency_that_never_signed(code="T18.NOKEY"):
    other = Agency.objects.first()
    return Agency.objects.create(code=code, name="Cơ quan chưa ký", kind=other.kind, province=other.province)


def test_an_agency_without_a_key_answers_404_and_gets_none(demo, settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    settings.DOCUMENTS_DEMO_PKI = True
    agency = _agency_that_never_signed()
    response = Client().get(f"/verify/keys/{agency.code}.pem")
    assert response.status_code == 404
    assert not any(Path(tmp_path).rglob("*.pem"))  # no key, no demo authority either


def test_without_the_demo_pki_an_agency_without_a_key_is_a_404_not_a_500(demo, settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    settings.DOCUMENTS_DEMO_PKI = False
    settings.DOCUMENTS_PKCS12 = {}
    agency = _agency_that_never_signed()
    assert Client(raise_request_exception=False).get(f"/verify/keys/{agency.code}.pem").status_code == 404


def test_an_agency_that_signs_shows_its_certificate(issued, civil_status):
    response = Client().get(f"/verify/keys/{civil_status.code}.pem")
    assert response.status_code == 200
    certificate = x509.load_pem_x509_certificate(response.content)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == civil_status.name
    assert b"PRIVATE KEY" not in response.content


def test_an_unknown_agency_is_a_404(db):
    assert Client().get("/verify/keys/NO-SUCH-AGENCY.pem").status_code == 404

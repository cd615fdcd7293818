"""Signing keys: a demo certificate authority and one key per agency, created on first use.

A real deployment sets DOCUMENTS_PKCS12 (agency code → PKCS#12 file) and keeps
DOCUMENTS_DEMO_PKI off; the demo authority is for trying the product and tests.
Files are created first-wins (hard link of a finished temp file), so several
workers starting at once agree on one authority and one key per agency.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CA_NAME = "MotCua Demo CA (không dùng cho văn bản thật)"


@dataclass(frozen=True)
class Credentials:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def _pki_dir() -> Path:
    path = Path(settings.DOCUMENTS_PKI_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_once(path: Path, data: bytes) -> None:
    """Create `path` with `data` unless another process already did; the first writer wins."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    try:
        os.link(tmp.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp.name)


def _pem(key, cert) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + cert.public_bytes(serialization.Encoding.PEM)


def _load_pem(path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    data = path.read_bytes()
    return serialization.load_pem_private_key(data, password=None), x509.load_pem_x509_certificate(data)


def _name(common_name: str, organisation: str = "MotCua") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, years: int) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(signing_key, hashes.SHA256())


def demo_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    path = _pki_dir() / "demo-ca.pem"
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name(CA_NAME), _name(CA_NAME), key.public_key(), key, ca=True, years=10)
        _write_once(path, _pem(key, cert))
    return _load_pem(path)


_loaded: dict[str, Credentials] = {}


def agency_credentials(agency) -> Credentials:
    """The agency's signing key and chain, read from disk once per process."""
    if agency.code not in _loaded:
        _loaded[agency.code] = _read_credentials(agency)
    return _loaded[agency.code]


def agency_certificate(agency) -> x509.Certificate | None:
    """The agency's certificate if it has a signing key, else None; never creates a key.

    For the public /verify/keys/ page: an anonymous request must not make the server generate
    keys (nor fill the key directory) for every agency code it is asked about.
    """
    if agency.code in _loaded or getattr(settings, "DOCUMENTS_PKCS12", {}).get(agency.code):
        return agency_credentials(agency).cert
    if not settings.DOCUMENTS_DEMO_PKI:
        return None
    path = Path(settings.DOCUMENTS_PKI_DIR) / f"agency-{agency.code}.pem"
    if not path.exists():
        return None  # the demo key is made when the agency signs its first document
    return _load_pem(path)[1]


def _read_credentials(agency) -> Credentials:
    configured = getattr(settings, "DOCUMENTS_PKCS12", {}).get(agency.code)
    if configured:
        key, cert, chain = pkcs12.load_key_and_certificates(
            Path(configured).read_bytes(), settings.DOCUMENTS_PKCS12_PASSPHRASE.encode() or None
        )
        return Credentials(key=key, cert=cert, chain=tuple(chain or ()))
    if not settings.DOCUMENTS_DEMO_PKI:
        raise ImproperlyConfigured(f"No signing key configured for agency {agency.code} (DOCUMENTS_PKCS12).")
    ca_key, ca_cert = demo_ca()
    path = _pki_dir() / f"agency-{agency.code}.pem"
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(
            _name(agency.name, agency.province.name),
            ca_cert.subject,
            key.public_key(),
            ca_key,
            ca=False,
            years=3,
        )
        _write_once(path, _pem(key, cert))
    key, cert = _load_pem(path)
    return Credentials(key=key, cert=cert, chain=(ca_cert,))

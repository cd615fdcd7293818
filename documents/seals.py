"""The seal in a document's QR code: a compact, signed statement an inspector can check offline.

Format (version 1), everything base64url without padding:

    mc1.<payload>.<signature>
    payload   = "1|<code>|<kind>|<issued yyyymmdd>|<content sha-256>|<issuer agency code>"
    signature = ECDSA P-256 / SHA-256 over the payload bytes, raw r‖s (64 bytes)

The QR encodes `<SITE_URL>/verify/<code>/#<seal>`: the fragment never reaches the
server, so a phone online just opens the verify page, and an offline verifier
(`manage.py document_verify`) checks the seal with the issuer's public certificate
(`/verify/keys/<agency code>.pem`). The content hash covers the document's data
(not the PDF file, which contains the QR itself).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

PREFIX = "mc1"


class InvalidSeal(ValueError):
    pass


@dataclass(frozen=True)
class SealContents:
    code: str
    kind: str
    issued: str  # yyyymmdd
    content_sha256: str  # hex
    issuer_code: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_seal(contents: SealContents, private_key: ec.EllipticCurvePrivateKey) -> str:
    payload = "|".join(
        [
            "1",
            contents.code,
            contents.kind,
            contents.issued,
            _b64(bytes.fromhex(contents.content_sha256)),
            contents.issuer_code,
        ]
    ).encode()
    r, s = decode_dss_signature(private_key.sign(payload, ec.ECDSA(hashes.SHA256())))
    return f"{PREFIX}.{_b64(payload)}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def open_seal(text: str, public_key: ec.EllipticCurvePublicKey) -> SealContents:
    """Check a seal (or a whole verify URL) against the issuer's key; raise InvalidSeal if it fails."""
    seal = text.split("#", 1)[-1].strip()
    try:
        prefix, payload_b64, signature_b64 = seal.split(".")
        payload, raw = _unb64(payload_b64), _unb64(signature_b64)
    except ValueError as error:
        raise InvalidSeal("not a MotCua seal") from error
    if prefix != PREFIX or len(raw) != 64:
        raise InvalidSeal("unknown seal format")
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise InvalidSeal("the signature does not match: altered, or not from this issuer") from error
    version, code, kind, issued, digest, issuer_code = payload.decode().split("|")
    if version != "1":
        raise InvalidSeal("unknown seal version")
    return SealContents(code, kind, issued, _unb64(digest).hex(), issuer_code)

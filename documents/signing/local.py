"""Signs with a key held by this server: the agency's PKCS#12 file, or the demo authority's key."""

from __future__ import annotations

import io

from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from ..pki import agency_credentials

# The visible signature box (signer, time) is drawn by the A4 template with the
# document's own fonts: pyHanko's stamp fonts lose Vietnamese diacritics. The
# signature field itself sits over that box, so viewers show its status there.
SIGNATURE_BOX = (315, 95, 560, 165)  # PDF points from the bottom-left of page 1
FIELD_NAME = "ChuKySo"
SIGNATURE_BYTES = 16384  # an ECDSA signature with a two-certificate chain takes under 2 KB
_NO_APPEARANCE = TextStampStyle(stamp_text=" ", border_width=0, background=None)


_signers: dict[str, signers.SimpleSigner] = {}


def _simple_signer(agency) -> signers.SimpleSigner:
    # Loading a key is slow next to signing; a long-lived worker loads each agency's key once.
    if agency.code in _signers:
        return _signers[agency.code]
    credentials = agency_credentials(agency)
    bundle = pkcs12.serialize_key_and_certificates(
        name=agency.code.encode(),
        key=credentials.key,
        cert=credentials.cert,
        cas=list(credentials.chain),
        encryption_algorithm=NoEncryption(),
    )
    _signers[agency.code] = signers.SimpleSigner.load_pkcs12_data(bundle, other_certs=[])
    return _signers[agency.code]


class LocalKeySigner:
    def sign_pdf(self, pdf: bytes, *, agency, signer_name: str) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            name=signer_name,
            location=agency.province.name,
            reason="Phát hành văn bản điện tử",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=_simple_signer(agency),
            stamp_style=_NO_APPEARANCE,
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, box=SIGNATURE_BOX, on_page=0),
        )
        out = io.BytesIO()
        # Reserving room for the signature up front spares pyHanko a dummy signing pass to size it.
        pdf_signer.sign_pdf(writer, output=out, bytes_reserved=SIGNATURE_BYTES)
        return out.getvalue()

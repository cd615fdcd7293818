"""The signer interface: a key file now, an HSM or a CA's signing service later, behind one call.

A signer signs a document's digest, as an HSM or a remote signing service does; writing the
signature into the PDF is `documents.signing.pdf`'s part, the same for every signer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Signer(Protocol):
    def sign_digest(self, digest: bytes, *, agency, signed_at: datetime) -> bytes:
        """The DER CMS SignedData of `agency` over a PDF's SHA-256 `digest`, with PAdES's signed
        attributes (ETSI.CAdES.detached), for the signature field signed at `signed_at`."""

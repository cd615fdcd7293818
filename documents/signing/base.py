"""The signer interface: a key file now, an HSM or a CA's signing service later, behind one call.

A signer signs a document's digest, as an HSM or a remote signing service does; writing the
signature into the PDF is `documents.signing.pdf`'s part, the same for every signer.
"""

from __future__ import annotations

from typing import Protocol


class Signer(Protocol):
    def sign_digest(self, digest: bytes, *, agency) -> bytes:
        """The DER CMS SignedData of `agency` over a PDF's SHA-256 `digest`, with PAdES's signed
        attributes (ETSI.CAdES.detached: content type, message digest, signing certificate v2).
        No signing-time attribute: PAdES forbids it; the time is the signature dictionary's /M."""

"""The signer interface: a key file now, an HSM or a CA token later, behind the same call."""

from __future__ import annotations

from typing import Protocol


class Signer(Protocol):
    def sign_pdf(self, pdf: bytes, *, agency, signer_name: str) -> bytes:
        """Return the PDF with a PAdES signature of `agency` and a visible signature box."""

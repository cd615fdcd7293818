"""The signature field of a result, written into the PDF as WeasyPrint writes the page.

pyHanko's PdfSigner signs a finished PDF: it parses the file again and appends an incremental
update with the field, its widget and the signature dictionary. For a page WeasyPrint has just
written, that second parse and write cost 3 ms of every document, two thirds of signing.

So the field goes in while the page is written (a WeasyPrint finisher adds it to the PDF's
objects), with room reserved for the signature. Once the bytes exist, `sign` fills in the byte
range, the signer signs their SHA-256 (`documents.signing.base.Signer`) and pyHanko writes the
CMS into the reserved room. The signature dictionary, the widget and the CMS are those pyHanko's
signer writes: a PAdES signature (/ETSI.CAdES.detached) over the whole file except the signature
itself. (pyHanko's incremental update also added XMP metadata and touched the Info dictionary,
which a PDF 2.0 file signed once as it is written does not need.) The tests validate every one
with pyHanko's validator.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pydyf
from pyhanko.pdf_utils.generic import pdf_date
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest

from .base import Signer

# The visible signature box (signer, time) is drawn by the A4 template with the document's own
# fonts; the signature field sits over it, so viewers show the signature's status there.
SIGNATURE_BOX = (315, 95, 560, 165)  # PDF points from the bottom-left of page 1
FIELD_NAME = "ChuKySo"
# Hex digits reserved for the CMS: room for 8 KB. An ECDSA signature with a two-certificate chain
# takes under 2 KB; a longer chain from a real authority still fits.
SIGNATURE_HEX_DIGITS = 16384
REASON = "Phát hành văn bản điện tử"

_RANGE_PLACEHOLDER = b"[0 " + b" ".join([b"9" * 10] * 3) + b"]"
_CONTENTS_PLACEHOLDER = b"<" + b"0" * SIGNATURE_HEX_DIGITS + b">"
_XREF_STREAM = b"<</Type /XRef"


class _OutsideObjectStreams(pydyf.Dictionary):
    """A dictionary written as a top-level object. WeasyPrint packs dictionaries into compressed
    object streams, but the signature's bytes must lie in the file as they are, where the byte
    range leaves its gap."""

    compressible = False


class SignatureField:
    """Pass as `render_pdf(…, finisher=field)`, then `field.sign(pdf, signer, agency=…)`."""

    def __init__(self, *, signer_name: str, location: str, signed_at: datetime):
        if signed_at.utcoffset() is None:
            raise ValueError("the signing time needs its time zone")
        self.signer_name = signer_name
        self.location = location
        self.signed_at = signed_at
        self._signature: pydyf.Dictionary | None = None
        self._pdf: pydyf.PDF | None = None

    def __call__(self, _document, pdf: pydyf.PDF) -> None:
        if "AcroForm" in pdf.catalog:
            # WeasyPrint's own form fields (pdf_forms) would drop out of the form's field list.
            raise ValueError("this PDF already has a form; the signature field would replace it")
        page = pdf.objects[pdf.pages["Kids"][0]]
        signature = _OutsideObjectStreams(
            {
                "ByteRange": _RANGE_PLACEHOLDER,
                "Contents": _CONTENTS_PLACEHOLDER,
                "Type": "/Sig",
                "Filter": "/Adobe.PPKLite",
                "SubFilter": "/ETSI.CAdES.detached",
                "M": pydyf.String(str(pdf_date(self.signed_at))),
                "Name": pydyf.String(self.signer_name),
                "Location": pydyf.String(self.location),
                "Reason": pydyf.String(REASON),
            }
        )
        pdf.add_object(signature)
        left, bottom, right, top = SIGNATURE_BOX
        # An empty appearance: the template has drawn the box, and a widget of some size must
        # have one.
        appearance = pydyf.Stream(
            extra={
                "Type": "/XObject",
                "Subtype": "/Form",
                "BBox": pydyf.Array([0, 0, right - left, top - bottom]),
            }
        )
        pdf.add_object(appearance)
        widget = pydyf.Dictionary(
            {
                "Type": "/Annot",
                "Subtype": "/Widget",
                "FT": "/Sig",
                "T": pydyf.String(FIELD_NAME),
                "F": 132,  # printed, locked
                "Rect": pydyf.Array(SIGNATURE_BOX),
                "P": page.reference,
                "V": signature.reference,
                "AP": pydyf.Dictionary({"N": appearance.reference}),
            }
        )
        pdf.add_object(widget)
        page.setdefault("Annots", pydyf.Array()).append(widget.reference)
        pdf.catalog["AcroForm"] = pydyf.Dictionary(
            {"Fields": pydyf.Array([widget.reference]), "SigFlags": 3}  # has signatures, append only
        )
        # Agency keys are ECDSA P-256 (the QR seal is too). ISO 32002 is where PDF 2.0 names those
        # curves, so the file says it is PDF 2.0 with that extension, as pyHanko's signer writes it.
        pdf.catalog["Version"] = "/2.0"
        pdf.catalog["Extensions"] = pydyf.Dictionary(
            {
                "ISO_": pydyf.Array(
                    [
                        pydyf.Dictionary(
                            {
                                "Type": "/DeveloperExtensions",
                                "BaseVersion": "/2.0",
                                "ExtensionLevel": 32002,
                                "URL": pydyf.String("https://www.iso.org/standard/45875.html"),
                                "ExtensionRevision": pydyf.String(":2022"),
                            }
                        )
                    ]
                )
            }
        )
        self._signature = signature
        self._pdf = pdf

    def _identify(self, out: bytearray) -> None:
        """Give the file the identifier PDF 2.0 asks of its trailer.

        pydyf would make it by writing, and so compressing, every object a second time: 3-6 ms a
        page. It is made here from the bytes as written, and goes into the dictionary of the
        cross-reference stream, which is the file's last object: no offset moves.
        """
        xref = out.index(b"\n", self._pdf.xref_position) + 1
        if not out.startswith(_XREF_STREAM, xref):
            raise ValueError("expected the PDF to end with WeasyPrint's cross-reference stream")
        if b"/ID [" in out[xref : out.index(b">>", xref)]:
            return  # WeasyPrint was asked for one (pdf_identifier)
        identifier = hashlib.md5(out, usedforsecurity=False).hexdigest().encode()
        at = xref + len(_XREF_STREAM)
        out[at:at] = b"/ID [<%s> <%s>]" % (identifier, identifier)

    def sign(self, pdf: bytes, signer: Signer, *, agency) -> bytes:
        """The PDF written with this field, signed by `signer` for `agency`."""
        if self._signature is None:
            raise ValueError("the PDF was not written with this signature field as its finisher")
        out = bytearray(pdf)
        self._identify(out)
        # pydyf noted where it wrote the signature dictionary; the placeholders are inside it.
        written_at = self._signature.offset
        try:
            range_at = out.index(b"/ByteRange " + _RANGE_PLACEHOLDER, written_at) + len(b"/ByteRange ")
            start = out.index(b"/Contents " + _CONTENTS_PLACEHOLDER, written_at) + len(b"/Contents ")
        except ValueError:
            raise ValueError("these bytes are not the PDF last written with this field, unsigned") from None
        end = start + len(_CONTENTS_PLACEHOLDER)
        byte_range = b"[0 %d %d %d]" % (start, end, len(out) - end)
        out[range_at : range_at + len(_RANGE_PLACEHOLDER)] = byte_range.ljust(len(_RANGE_PLACEHOLDER))
        signed = memoryview(out)
        hashed = hashlib.sha256(signed[:start])
        hashed.update(signed[end:])
        digest = hashed.digest()
        cms = signer.sign_digest(digest, agency=agency)
        output = io.BytesIO(out)
        PreparedByteRangeDigest(digest, start, end).fill_with_cms(output, cms)
        return output.getvalue()

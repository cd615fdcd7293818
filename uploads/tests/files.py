"""Files for tests of every app that takes uploads: real PDFs and PNGs, and the EICAR test file."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# The anti-virus test file every scanner recognises (eicar.org); harmless by design.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_bytes(pages: int = 1, *, comment: bytes = b"") -> bytes:
    """A well-formed PDF of blank A4 pages; `comment` is carried inside it (a PDF comment line)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    if comment:
        out.write(b"%" + comment + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def pdf_upload(name: str = "giay-to.pdf", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(**kwargs), content_type="application/pdf")


def infected_pdf(name: str = "giay-to.pdf") -> SimpleUploadedFile:
    """A valid PDF that carries the EICAR string: only the virus scan can refuse it."""
    return SimpleUploadedFile(name, pdf_bytes(comment=EICAR), content_type="application/pdf")


# What an attacker sent as supplement answers (issue 18): each must be refused.
def bad_files() -> dict[str, SimpleUploadedFile]:
    return {
        "html": SimpleUploadedFile("to-khai.html", b"<html><script>alert(1)</script></html>", "text/html"),
        "svg": SimpleUploadedFile(
            "anh.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        "text named pdf": SimpleUploadedFile("quyet-dinh.pdf", b"just text, not a PDF", "application/pdf"),
        "12 MB": SimpleUploadedFile(
            "lon.pdf", pdf_bytes() + b"\n%" + b"0" * (12 * 1024 * 1024), "application/pdf"
        ),
        "eicar": infected_pdf(),
    }

"""Reading the PDFs we make the way a person's tools would: poppler for text and pages, zbar for QR
codes, pyHanko's validator for signatures."""

import io
import subprocess
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from documents.pki import demo_ca


def signature_status(pdf: bytes):
    """pyHanko's verdict on the PDF's one signature, trusting the demo authority."""
    _ca_key, ca_cert = demo_ca()
    root = asn1_x509.Certificate.load(ca_cert.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf))
    return validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=[root]))


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(path) -> dict[str, str]:
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def pdf_pages(path) -> int:
    return int(pdf_info(path)["Pages"])


def qr_contents(path, workdir: Path, *, dpi: int = 150) -> str:
    """Render page 1 to PNG and decode its QR code ("" when none is found)."""
    image = workdir / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(image)], check=True)
    return image_qr_contents(f"{image}.png")


def image_qr_contents(png) -> str:
    """Decode the QR code in an image ("" when none is found)."""
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return result.stdout.strip()


def pdf_images(path) -> int:
    """How many images the PDF's pages show."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return len(listing.splitlines()) - 2  # two header lines

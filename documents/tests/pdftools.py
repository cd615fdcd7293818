"""Reading the PDFs we make the way a person's tools would: poppler for text and pages, zbar for QR codes."""

import subprocess
from pathlib import Path


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

"""The QR image printed on documents: the exact modules segno encoded, readable by a scanner."""

import io

from PIL import Image

from documents.qr import _code, qr_png

from .pdftools import image_qr_contents

SEALED_URL = "http://127.0.0.1:8000/verify/5GE8TBJWU4/#mc1." + "Ab-9_" * 32


def _pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("L")


def test_the_png_holds_the_codes_modules_two_pixels_each_inside_a_white_border():
    code = _code(SEALED_URL)
    image = _pixels(qr_png(SEALED_URL))
    size = len(code.matrix)
    assert image.size == ((size + 4) * 2, (size + 4) * 2)
    for y, row in enumerate(code.matrix):
        for x, dark in enumerate(row):
            for dy in (0, 1):
                for dx in (0, 1):
                    assert image.getpixel(((x + 2) * 2 + dx, (y + 2) * 2 + dy)) == (0 if dark else 255)
    assert {image.getpixel((x, 0)) for x in range(image.width)} == {255}  # the quiet zone


def test_a_scanner_reads_the_url_back(tmp_path):
    # zbar, as in the document tests; enlarged as a printed page would be.
    image = _pixels(qr_png(SEALED_URL))
    image.resize((image.width * 3, image.height * 3), Image.Resampling.NEAREST).save(tmp_path / "qr.png")
    assert image_qr_contents(tmp_path / "qr.png") == SEALED_URL

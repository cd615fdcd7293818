"""The QR printed on documents: modules of two pixels square in a white border, readable by a scanner."""

import io
import subprocess

from PIL import Image

from qrcodes.images import BORDER_MODULES, qr_png

SEALED_URL = "http://127.0.0.1:8000/verify/5GE8TBJWU4/#mc1." + "Ab-9_" * 32


def _pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("L")


def test_each_module_is_two_black_or_white_pixels_square_inside_a_white_border():
    image = _pixels(qr_png(SEALED_URL))
    assert image.width == image.height
    assert image.width % 2 == 0
    modules = image.width // 2 - 2 * BORDER_MODULES
    assert (modules - 17) % 4 == 0  # the size of a QR version
    assert modules > 21  # this URL needs more than version 1

    def module(x: int, y: int) -> int:
        block = {image.getpixel((2 * x + dx, 2 * y + dy)) for dx in (0, 1) for dy in (0, 1)}
        assert len(block) == 1  # unsmoothed
        assert block <= {0, 255}  # pure black or white
        return block.pop()

    grid = [[module(x, y) for x in range(image.width // 2)] for y in range(image.height // 2)]
    b = BORDER_MODULES
    for i in range(len(grid)):  # the quiet zone
        for j in list(range(b)) + list(range(len(grid) - b, len(grid))):
            assert grid[i][j] == grid[j][i] == 255
    # The top-left finder pattern: a dark 7×7 ring, a light ring, a dark 3×3 centre.
    for y in range(7):
        for x in range(7):
            ring = max(abs(x - 3), abs(y - 3))
            assert grid[b + y][b + x] == (255 if ring == 2 else 0)


def _scanned(path) -> str:
    # zbar, as the document tests read their PDFs: another decoder than the one that encoded.
    return subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True
    ).stdout.strip()


def test_a_scanner_reads_the_url_back(tmp_path):
    # Enlarged as a printed page would be.
    image = _pixels(qr_png(SEALED_URL))
    image.resize((image.width * 3, image.height * 3), Image.Resampling.NEAREST).save(tmp_path / "qr.png")
    assert _scanned(tmp_path / "qr.png") == SEALED_URL

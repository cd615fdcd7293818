"""QR codes for everything MotCua prints or shows: tickets, appointments, documents."""

from __future__ import annotations

import io

import segno
from PIL import Image


def _code(data: str) -> segno.QRCode:
    # A fixed mask skips the search for the best of eight patterns (most of the encoding time),
    # and the error level stays at M: not raised to fill the version, so the code stays small.
    return segno.make(data, error="m", mask=2, boost_error=False, micro=False)


def qr_png(data: str, *, box_size: int = 2) -> bytes:
    """A PNG, 2 px a module, for the printed documents.

    A bitmap is far cheaper for WeasyPrint than an SVG path of a thousand squares. The templates
    scale it up with `image-rendering: pixelated` (a PDF image that is enlarged without
    smoothing). Two pixels a module is the smallest that still scans from a page rendered at
    any resolution from 72 to 300 dpi; one pixel a module fails below 200 dpi, when a viewer
    shrinks the page and nearest-neighbour scaling drops whole modules.
    """
    # segno's own PNG writer is pure Python (about 4 ms for a version-10 code); Pillow, which
    # WeasyPrint already needs, draws and compresses the same pixels in C in a tenth of that.
    matrix = _code(data).matrix
    size, border = len(matrix), 2
    pixels = b"".join(bytes(row).translate(_DARK_ON_WHITE) for row in matrix)
    modules = Image.frombytes("L", (size, size), pixels)
    image = Image.new("1", (size + 2 * border, size + 2 * border), 1)
    image.paste(modules.convert("1", dither=Image.Dither.NONE), (border, border))
    image = image.resize((image.width * box_size, image.height * box_size), Image.Resampling.NEAREST)
    png = io.BytesIO()
    image.save(png, "PNG")
    return png.getvalue()


_DARK_ON_WHITE = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # segno's 1 (dark) → black, 0 → white


def qr_svg(data: str) -> str:
    """Inline SVG markup, sharp at any size on screens."""
    return _code(data).svg_inline(scale=8, border=2)

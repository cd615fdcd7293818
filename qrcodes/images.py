"""QR codes for everything MotCua prints or shows: tickets, appointments, documents.

Two encoders, one per medium. Printed documents take a PNG from zxing-cpp, which encodes in C in
under a millisecond: segno, in pure Python, took about 5 ms of every signed document even with its
mask fixed. Screens take segno's inline SVG, sharp at any size, where a few milliseconds a page
do not matter. Both encode at error level M.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image

BORDER_MODULES = 2  # the white margin around the code, in modules; the page's own margin adds more


def qr_png(data: str, *, box_size: int = 2) -> bytes:
    """A PNG, 2 px a module, for the printed documents.

    A bitmap is far cheaper for WeasyPrint than an SVG path of a thousand squares. The templates
    scale it up with `image-rendering: pixelated` (a PDF image that is enlarged without
    smoothing). Two pixels a module is the smallest that still scans from a result page rendered
    at 100 to 300 dpi (a page at 72 dpi is too coarse at any pixel size: a module becomes 1.4 px);
    one pixel a module fails below 200 dpi, when a viewer shrinks the page and nearest-neighbour
    scaling drops whole modules.
    """
    barcode = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = barcode.to_image(scale=1, add_quiet_zones=False)  # a byte a module: 0 dark, 255 light
    height, width = modules.shape
    image = Image.new("1", (width + 2 * BORDER_MODULES, height + 2 * BORDER_MODULES), 1)
    code = Image.frombytes("L", (width, height), bytes(memoryview(modules)))
    image.paste(code.convert("1", dither=Image.Dither.NONE), (BORDER_MODULES, BORDER_MODULES))
    image = image.resize((image.width * box_size, image.height * box_size), Image.Resampling.NEAREST)
    png = io.BytesIO()
    image.save(png, "PNG")
    return png.getvalue()


def qr_svg(data: str) -> str:
    """Inline SVG markup, sharp at any size on screens."""
    return segno.make(data, error="m", boost_error=False, micro=False).svg_inline(scale=8, border=2)

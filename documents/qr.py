"""QR codes for everything MotCua prints or shows: tickets, appointments, documents."""

from __future__ import annotations

import segno


def _code(data: str) -> segno.QRCode:
    # A fixed mask skips the search for the best of eight patterns (most of the encoding time),
    # and the error level stays at M: not raised to fill the version, so the code stays small.
    return segno.make(data, error="m", mask=2, boost_error=False, micro=False)


def qr_png_data_uri(data: str, *, box_size: int = 2) -> str:
    """A PNG data URI, 2 px a module, for the printed documents.

    A bitmap is far cheaper for WeasyPrint than an SVG path of a thousand squares. The templates
    scale it up with `image-rendering: pixelated` (a PDF image that is enlarged without
    smoothing). Two pixels a module is the smallest that still scans from a page rendered at
    any resolution from 72 to 300 dpi; one pixel a module fails below 200 dpi, when a viewer
    shrinks the page and nearest-neighbour scaling drops whole modules.
    """
    return _code(data).png_data_uri(scale=box_size, border=2)


def qr_svg(data: str) -> str:
    """Inline SVG markup, sharp at any size on screens."""
    return _code(data).svg_inline(scale=8, border=2)

"""QR codes for everything MotCua prints or shows: tickets, appointments, documents."""

from __future__ import annotations

import segno


def _code(data: str) -> segno.QRCode:
    # A fixed mask skips the search for the best of eight patterns (most of the encoding time),
    # and the error level stays at M: not raised to fill the version, so the code stays small.
    return segno.make(data, error="m", mask=2, boost_error=False, micro=False)


def qr_png_data_uri(data: str, *, box_size: int = 4) -> str:
    """A PNG data URI, 4 px a module (about 190 dpi at the printed size).

    A bitmap is far cheaper for WeasyPrint than an SVG path of a thousand squares.
    """
    return _code(data).png_data_uri(scale=box_size, border=2)


def qr_svg(data: str) -> str:
    """Inline SVG markup, sharp at any size on screens."""
    return _code(data).svg_inline(scale=8, border=2)

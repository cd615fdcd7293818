"""QR codes for everything MotCua prints or shows: tickets, appointments, documents."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
import qrcode.image.svg


def qr_png_data_uri(data: str, *, box_size: int = 4) -> str:
    """A PNG data URI, 4 px a module (about 190 dpi at the printed size).

    A fixed mask skips qrcode's slow search for the best of eight, and a bitmap is far
    cheaper for WeasyPrint than an SVG path of a thousand squares.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2, mask_pattern=2
    )
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def qr_svg(data: str) -> str:
    """Inline SVG markup, sharp at any size on screens."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")

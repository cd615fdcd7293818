"""HTML → PDF with WeasyPrint, in Vietnamese that survives the trip."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.conf import settings
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


@lru_cache(maxsize=1)
def _font_configuration() -> FontConfiguration:
    # Building the font configuration is the costly part of WeasyPrint's start-up; a
    # long-lived worker builds it once and reuses it for every document.
    return FontConfiguration()


def render_pdf(html: str) -> bytes:
    # Decomposed diacritics (e.g. from a Mac keyboard or an old database) render as
    # stray marks in PDFs and break text search; NFC composes them first.
    html = unicodedata.normalize("NFC", html)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_configuration())

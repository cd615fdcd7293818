"""HTML → PDF with WeasyPrint, in Vietnamese that survives the trip."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

PRINT_STYLES = Path(__file__).resolve().parent / "print"


@lru_cache(maxsize=1)
def _font_configuration() -> FontConfiguration:
    # Building the font configuration is the costly part of WeasyPrint's start-up; a
    # long-lived worker builds it once and reuses it for every document.
    return FontConfiguration()


@cache
def _stylesheet(name: str) -> CSS:
    # Parsing the stylesheet took a tenth of each page's rendering when it sat in the template;
    # a long-lived worker parses each one once, with the one font configuration.
    return CSS(filename=str(PRINT_STYLES / f"{name}.css"), font_config=_font_configuration())


def render_pdf(html: str, *, stylesheet: str | None = None) -> bytes:
    """The PDF of `html`, styled by documents/print/<stylesheet>.css."""
    # Decomposed diacritics (e.g. from a Mac keyboard or an old database) render as
    # stray marks in PDFs and break text search; NFC composes them first.
    html = unicodedata.normalize("NFC", html)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        font_config=_font_configuration(),
        stylesheets=[_stylesheet(stylesheet)] if stylesheet else None,
    )

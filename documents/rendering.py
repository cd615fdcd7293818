"""HTML → PDF with WeasyPrint, in Vietnamese that survives the trip."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


def renderer_warm() -> None:
    """Build the font configuration, parse the stylesheets and load the fonts now, so a worker's
    first document is not the slow one and what they hold is there before the process freezes
    its start-up objects (portal.celery.worker_process_ready)."""
    for name in ("a4", "queue_ticket"):
        render_pdf("<p>Độc lập - Tự do - <b>Hạnh phúc</b> <i>Việt Nam</i></p>", stylesheet=name)


PAGE_IMAGE = "page-image:"


def page_image_url(name: str) -> str:
    """What a template puts in `<img src>` for an image handed to `render_pdf(images=…)`."""
    return PAGE_IMAGE + name


class _PageImages(URLFetcher):
    """Hands WeasyPrint the page's own images from memory, and fetches nothing else.

    A document is made only from what the service gives it: never from the network or the
    worker's disk, whatever text ends up in a template. And unlike a data: URI, a short name
    leaves nothing behind in the worker: urllib kept the last 128 data: URIs (a QR each) in
    its parse cache, which made a new worker grow for its first hundred-odd documents.
    """

    def __init__(self, images: dict[str, bytes]):
        super().__init__(allowed_protocols=())
        self._images = images

    def fetch(self, url, headers=None):
        name = url.removeprefix(PAGE_IMAGE) if url.startswith(PAGE_IMAGE) else None
        if name not in self._images:
            raise ValueError(f"a document fetches only its own images, not {url[:80]!r}")
        return URLFetcherResponse(url, body=self._images[name], headers={"Content-Type": "image/png"})


def render_pdf(
    html: str,
    *,
    stylesheet: str | None = None,
    images: dict[str, bytes] | None = None,
    finisher: Callable | None = None,
) -> bytes:
    """The PDF of `html`, styled by documents/print/<stylesheet>.css.

    `images` are PNGs by name; the HTML shows one as `<img src>` of `page_image_url(name)`.
    `finisher` adds to the PDF's objects before they are written (WeasyPrint's hook), e.g. a
    `documents.signing.pdf.SignatureField`.
    """
    # Decomposed diacritics (e.g. from a Mac keyboard or an old database) render as
    # stray marks in PDFs and break text search; NFC composes them first.
    html = unicodedata.normalize("NFC", html)
    return HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=_PageImages(images or {})
    ).write_pdf(
        font_config=_font_configuration(),
        stylesheets=[_stylesheet(stylesheet)] if stylesheet else None,
        finisher=finisher,
    )

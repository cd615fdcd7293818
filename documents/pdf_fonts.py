"""Frees what WeasyPrint takes from Pango for each font of each PDF it writes.

When WeasyPrint embeds a font in a PDF (`weasyprint.pdf.fonts.Font`), it asks Pango for the font
description as a string (`pango_font_description_to_string`: a new string the caller must free)
and for the font's metrics (`pango_font_get_metrics`: a new reference the caller must release),
and keeps neither. Both are lost for every font of every document, about 1.8 KB a page of ours:
a long-lived worker grew by 1 MB each 600 documents and never stopped (WeasyPrint 70).

The fix gives that module a view of the Pango library whose two calls hand back pointers that
cffi releases once WeasyPrint drops them. Every other call goes straight to Pango. With it, a
worker's memory is flat after its first documents (bench/documents.py; docs/documents.md).
"""

from __future__ import annotations

from weasyprint.pdf import fonts as pdf_fonts
from weasyprint.text.ffi import ffi, gobject, pango

ffi.cdef("void g_free (void *mem);")


class PangoReleasing:
    """Pango as `weasyprint.pdf.fonts` sees it: the two leaking calls release their results."""

    def __init__(self, lib):
        self._lib = lib

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def pango_font_description_to_string(self, description):
        return ffi.gc(self._lib.pango_font_description_to_string(description), self._free_string)

    def pango_font_get_metrics(self, font, language):
        return ffi.gc(self._lib.pango_font_get_metrics(font, language), self._release_metrics)

    # Attributes, not methods bound at import, so a test can count the releases.
    _free_string = staticmethod(gobject.g_free)
    _release_metrics = staticmethod(pango.pango_font_metrics_unref)


def pango_releasing_install() -> None:
    if not isinstance(pdf_fonts.pango, PangoReleasing):
        pdf_fonts.pango = PangoReleasing(pdf_fonts.pango)

"""Frees what WeasyPrint takes from Pango for each font of each PDF it writes.

When WeasyPrint embeds a font in a PDF (`weasyprint.pdf.fonts.Font`), it asks Pango for the font
description as a string (`pango_font_description_to_string`: a new string the caller must free)
and for the font's metrics (`pango_font_get_metrics`: a new reference the caller must release),
and keeps neither. Both are lost for every font of every document, about 1.8 KB a page of ours:
a long-lived worker grew by 1 MB each 600 documents and never stopped (WeasyPrint 70).

The fix gives that module a view of the Pango library whose two calls hand back pointers that
cffi releases once WeasyPrint drops them. Every other call goes straight to Pango.

When it subsets a font, the same module also asks cffi for a new C array type for each glyph count
(`ffi.new(f"hb_codepoint_t[{n}]", glyphs)`). cffi parses each new type string and keeps it and the
type for the life of the process, so a worker grew by a few kilobytes whenever a page used a
number of glyphs it had not met before: for ever, in small steps, as names and codes vary. The
module gets a view of cffi that asks for the one open-sized type, `hb_codepoint_t[]`, sized by the
glyphs given: the same array, and nothing new to keep.

With both, a worker's memory is flat after its first documents (bench/documents.py;
docs/documents.md). Both belong upstream in WeasyPrint.
"""

from __future__ import annotations

import re

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


class OpenSizedArrays:
    """cffi as `weasyprint.pdf.fonts` sees it: a sized glyph array is made from the open-sized type."""

    _SIZED_GLYPHS = re.compile(r"hb_codepoint_t\[\d+\]")

    def __init__(self, ffi):
        self._ffi = ffi

    def __getattr__(self, name):
        return getattr(self._ffi, name)

    def new(self, cdecl, init=None):
        if init is not None and isinstance(cdecl, str) and self._SIZED_GLYPHS.fullmatch(cdecl):
            # WeasyPrint's size is always len(init); the open-sized type takes it from init.
            return self._ffi.new("hb_codepoint_t[]", init)
        return self._ffi.new(cdecl, init)


def pdf_fonts_install() -> None:
    """Give `weasyprint.pdf.fonts` the two views above (once; safe to call again)."""
    if not isinstance(pdf_fonts.pango, PangoReleasing):
        pdf_fonts.pango = PangoReleasing(pdf_fonts.pango)
    if not isinstance(pdf_fonts.ffi, OpenSizedArrays):
        pdf_fonts.ffi = OpenSizedArrays(pdf_fonts.ffi)

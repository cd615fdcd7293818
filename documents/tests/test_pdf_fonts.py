import gc

from weasyprint.pdf import fonts as pdf_fonts

from documents.pdf_fonts import PangoReleasing
from documents.rendering import render_pdf


def test_each_font_string_and_metrics_taken_for_a_pdf_is_released(monkeypatch):
    """WeasyPrint keeps neither; without the release a worker grows ~1.8 KB a page for ever."""
    pango = pdf_fonts.pango
    assert isinstance(pango, PangoReleasing)  # installed when the app is ready
    real = pango._lib
    taken, released = {"string": 0, "metrics": 0}, {"string": 0, "metrics": 0}

    def counting(kind, call):
        def wrapper(*args):
            taken[kind] += 1
            return call(*args)

        return staticmethod(wrapper)

    def releasing(kind, release):
        def wrapper(pointer):
            released[kind] += 1
            release(pointer)

        return staticmethod(wrapper)

    class Counted:
        pango_font_description_to_string = counting("string", real.pango_font_description_to_string)
        pango_font_get_metrics = counting("metrics", real.pango_font_get_metrics)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(pango, "_lib", Counted())
    monkeypatch.setattr(PangoReleasing, "_free_string", releasing("string", PangoReleasing._free_string))
    monkeypatch.setattr(
        PangoReleasing, "_release_metrics", releasing("metrics", PangoReleasing._release_metrics)
    )
    pdf = render_pdf("<p>Độc lập - Tự do - <b>Hạnh phúc</b> <i>Việt Nam</i></p>")
    gc.collect()
    assert pdf.startswith(b"%PDF")
    assert taken["string"] >= 3  # the regular, bold and italic faces
    assert taken["metrics"] >= 3
    assert released == taken


def test_pages_with_new_glyph_counts_leave_no_new_c_types_behind():
    """WeasyPrint asks cffi for a C array type per glyph count; each new one was kept for ever."""
    from weasyprint.text.ffi import ffi

    def c_types() -> int:
        gc.collect()
        # type(), not isinstance(): a dead weak proxy among the objects raises on isinstance.
        return sum(type(thing) is ffi.CType for thing in gc.get_objects())

    letters = "abcdefghijklmnopqrstuvwxyzĐđƯưƠơ"
    # Every face and letter once first: a face's first page makes its fixed-size types.
    render_pdf(f"<p>{letters}</p><p><b>{letters}</b></p>")
    before = c_types()
    for length in range(7, len(letters), 3):  # each page a glyph count not seen before
        render_pdf(f"<p>{letters[:length]}</p><p><b>{letters[: length + 1]}</b></p>")
    assert c_types() == before

"""What a page is made from: the HTML and the images the service hands over, nothing fetched."""

from documents.rendering import page_image_url, render_pdf
from qrcodes.images import qr_png

from .pdftools import pdf_images, qr_contents


def test_a_page_shows_the_images_it_is_given_and_fetches_nothing_else(tmp_path):
    qr = qr_png("http://127.0.0.1:8000/verify/5GE8TBJWU4/")
    on_disk = tmp_path / "on-disk.png"
    on_disk.write_bytes(qr)
    html = (
        f'<img src="{page_image_url("qr")}">'
        f'<img src="{on_disk.as_uri()}">'  # a file the worker could read
        f'<img src="{page_image_url("not-given")}">'
        '<img src="http://127.0.0.1:9/tracker.png">'
    )
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(render_pdf(html, images={"qr": qr}))
    assert pdf_images(pdf) == 1


def test_the_image_given_is_the_one_printed(tmp_path):
    url = "http://127.0.0.1:8000/verify/5GE8TBJWU4/"
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(
        render_pdf(
            f'<img src="{page_image_url("qr")}" style="width:60mm;image-rendering:pixelated">',
            images={"qr": qr_png(url)},
        )
    )
    assert qr_contents(pdf, tmp_path) == url

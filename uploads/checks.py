"""The one check every file that enters MotCua goes through: the e-form's file fields (online and
at the counter), a citizen's supplement answer, an officer's attachments, pages and API alike.

In order, cheapest first: the size limit; the type, sniffed from the bytes (PDF, JPEG, PNG only:
what scanners and phone cameras produce; never the name or the client's content type, which
the sender chooses); a PDF must open and stay within the page limit; then the virus scanner
(uploads.scanners). Each refusal is a ValidationError with a Vietnamese message naming the file
and what to do, so a form shows it beside the field and keeps everything else that was typed.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from .scanners.base import ScannerUnavailable
from .scanners.registry import scanner

log = logging.getLogger(__name__)

# Magic numbers of the only formats a centre accepts for scanned documents.
SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(upload) -> str | None:
    """The file's type from its first bytes, or None when it is none of the accepted ones."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for content_type, magic in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


def pdf_pages(upload) -> int | None:
    """The number of pages, or None when the file does not open as a PDF."""
    upload.seek(0)
    try:
        reader = PdfFileReader(io.BytesIO(upload.read()), strict=False)
        return int(reader.root["/Pages"]["/Count"])
    except Exception:  # whatever a malformed file makes the parser raise, the answer is "not a PDF"
        return None
    finally:
        upload.seek(0)


def upload_check(upload) -> None:
    """Refuse the file (ValidationError) unless it may enter; on success set its sniffed
    `content_type`, the only one stored and served back."""
    name = upload.name
    limit = settings.PROCEDURES_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _(
                "Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB. "
                "Hãy chụp hoặc quét lại với độ phân giải thấp hơn."
            )
            % {"name": name, "size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
            code="file_too_large",
        )
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải PDF, JPEG hoặc PNG. "
                "Hãy gửi bản quét dạng PDF hoặc ảnh chụp JPEG, PNG."
            )
            % {"name": name},
            code="file_type",
        )
    if content_type == "application/pdf":
        pages, most = pdf_pages(upload), settings.UPLOADS_MAX_PDF_PAGES
        if pages is None:
            raise ValidationError(
                _(
                    "Tệp “%(name)s” không mở được như một tệp PDF. "
                    "Hãy quét hoặc lưu lại thành PDF rồi gửi lại."
                )
                % {"name": name},
                code="file_unreadable",
            )
        if pages > most:
            raise ValidationError(
                _("Tệp “%(name)s” có %(pages)s trang, vượt giới hạn %(limit)s trang. Hãy gửi bản ngắn hơn.")
                % {"name": name, "pages": pages, "limit": most},
                code="too_many_pages",
            )
    upload.seek(0)
    try:
        found = scanner().scan(upload)
    except ScannerUnavailable as failure:
        # Refused, not let through: a file nobody scanned must not reach an officer's computer.
        log.error("upload not scanned, refused: %s", failure)
        raise ValidationError(
            _("Chưa kiểm tra virus được cho tệp “%(name)s” nên chưa nhận tệp. Hãy thử gửi lại sau ít phút.")
            % {"name": name},
            code="scanner_unavailable",
        ) from failure
    finally:
        upload.seek(0)
    if found:
        log.warning("upload refused: %s found in a file of %s bytes", found, upload.size)
        raise ValidationError(
            _(
                "Tệp “%(name)s” có mã độc nên không được nhận. "
                "Hãy kiểm tra virus trên máy của bạn và gửi bản quét khác."
            )
            % {"name": name},
            code="file_infected",
        )
    upload.content_type = content_type

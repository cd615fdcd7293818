"""Upload checks: the type is sniffed from the first bytes, never trusted from the name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Magic numbers of the only formats a centre accepts for scanned documents.
SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}


def sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for content_type, magic in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


def validate_upload(upload) -> None:
    limit = settings.PROCEDURES_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _(
                "Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB. "
                "Hãy chụp hoặc quét lại với độ phân giải thấp hơn."
            )
            % {"name": upload.name, "size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
            code="file_too_large",
        )
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải PDF, JPEG hoặc PNG. "
                "Hãy gửi bản quét dạng PDF hoặc ảnh chụp JPEG, PNG."
            )
            % {"name": upload.name},
            code="file_type",
        )
    upload.content_type = content_type

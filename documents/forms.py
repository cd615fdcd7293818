"""Forms of documents' pages: revoking a document, checking a PDF someone holds against it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uploads.checks import sniff, upload_check


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do thu hồi"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Hãy ghi lý do thu hồi: người xác minh sẽ thấy lý do này.")},
    )


def verify_file_check(upload) -> None:
    """PDF only (what MotCua issues is PDF, so nothing else is worth checking here), then the
    common check every entering file takes (uploads.checks.upload_check): size, page count,
    virus scan. One validator, so a refused file gets one message."""
    if sniff(upload) != "application/pdf":
        raise ValidationError(
            _("Tệp “%(name)s” không phải PDF. Ở đây chỉ kiểm tra được văn bản PDF do MotCua phát hành.")
            % {"name": upload.name},
            code="file_type",
        )
    upload_check(upload)


class VerifyFileForm(forms.Form):
    # Anyone may post here (the page is public), so the file takes the same check as every file
    # that enters: size, sniffed type, page count, virus scan. It is hashed, never stored.
    file = forms.FileField(
        label=gettext_lazy("Tệp PDF bạn có"),
        validators=[verify_file_check],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        error_messages={"required": gettext_lazy("Hãy chọn tệp PDF cần kiểm tra.")},
    )

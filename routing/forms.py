"""Forms of routing's pages: the citizen's supplement answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from uploads.forms import CheckedFilesField


class SupplementAnswerForm(forms.Form):
    # Each file goes through the one upload check (uploads.checks) before the service stores it;
    # a refused file leaves the note as typed, with the message beside the file input.
    files = CheckedFilesField(label=_("Tải lên giấy tờ bổ sung"), required=False)
    note = forms.CharField(
        label=_("Ghi chú cho cán bộ"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

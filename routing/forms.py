"""Forms of routing's pages: the citizen's supplement answer, the officer's finishing of a step."""

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


class StepCompleteForm(forms.Form):
    # The outcome stays free text here: which outcomes a step allows is the service's rule
    # (routing.actions.step_complete), for the page and the API alike. The files go through the
    # one upload check, so a refused file puts the step page back with the officer's note kept.
    outcome = forms.CharField(label=_("Kết quả xử lý"), required=False, max_length=50)
    note = forms.CharField(
        label=_("Ý kiến"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = CheckedFilesField(label=_("Tệp đính kèm"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # the step page's ids: its labels and its tests name them
        super().__init__(*args, **kwargs)

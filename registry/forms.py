"""What a citizen writes to ask for a correction of her registry record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CorrectionRequest
from .typed_text import TypedTextField


class CorrectionRequestForm(forms.Form):
    fact = forms.ChoiceField(
        label=_("Thông tin nào bị sai?"), choices=CorrectionRequest.Fact.choices, widget=forms.RadioSelect
    )
    correct = TypedTextField(label=_("Thông tin đúng là"), max_length=255)
    evidence = TypedTextField(
        label=_("Giấy tờ chứng minh (nếu có)"),
        help_text=_("Ví dụ: Giấy khai sinh số 123, do UBND phường Cầu Giấy cấp ngày 01/02/1990."),
        max_length=255,
        required=False,
    )


class CorrectionAnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CorrectionRequest.Status.CORRECTED, CorrectionRequest.Status.CORRECTED.label),
            (CorrectionRequest.Status.REFUSED, CorrectionRequest.Status.REFUSED.label),
        ]
    )

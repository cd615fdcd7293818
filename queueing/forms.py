"""Forms of the queue's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.citizen_id import validate_citizen_id
from registry.typed_text import TypedTextField

from .phone_codes import clean_phone
from .services import QueueError


class AppointmentForm(forms.Form):
    """What a person types to book: a slot, her name and phone, her citizen ID if she has one, the
    procedure if she knows it.

    Who she is (her account, or a phone proved with a one-time code) is not a field here: the page
    checks it the same way as the take-a-number page, after this form is valid.
    """

    starts_at = forms.DateTimeField(
        error_messages={"required": _("Hãy chọn một khung giờ."), "invalid": _("Khung giờ không hợp lệ.")}
    )
    # Stored NFC, no hidden characters: the name is read out and printed at the counter.
    full_name = TypedTextField(max_length=120, error_messages={"required": _("Hãy nhập họ và tên.")})
    phone = forms.CharField(
        max_length=15, error_messages={"required": _("Số điện thoại gồm 9 đến 11 chữ số, ví dụ 0912345678.")}
    )
    citizen_id = forms.CharField(max_length=15, required=False)
    procedure = forms.ChoiceField(required=False)

    def __init__(self, *args, procedure_codes: list[str], account_citizen_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_citizen_id = account_citizen_id
        self.fields["procedure"].choices = [("", ""), *((code, code) for code in procedure_codes)]

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data["phone"])
        except QueueError as error:
            raise forms.ValidationError(error.message) from error

    def clean_citizen_id(self) -> str:
        # Signed in: her account's ID, whatever the form says. Anonymous: optional (people without
        # a registry record book with the phone alone).
        if self.account_citizen_id:
            return ""
        value = self.cleaned_data["citizen_id"].replace(" ", "")
        if value:
            validate_citizen_id(value)
        return value

    def typed(self) -> dict[str, str]:
        """Every field as the person typed it, to show back beside the errors."""
        return {name: self[name].value() or "" for name in self.fields}

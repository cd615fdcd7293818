"""Form fields that take files through the one upload check (uploads.checks.upload_check)."""

from __future__ import annotations

from django import forms

from .checks import upload_check

ACCEPT = "application/pdf,image/jpeg,image/png"


class CheckedFileField(forms.FileField):
    default_validators = [upload_check]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(CheckedFileField):
    """Several files in one input (Django's documented pattern); each is checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, (list, tuple)):
            return [super(CheckedFilesField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []

    def run_validators(self, value):
        # Each file is checked in clean(), through FileField.clean → run_validators of one file.
        if isinstance(value, list):
            return
        super().run_validators(value)

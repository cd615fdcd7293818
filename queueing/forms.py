"""Forms of the queue's pages: every POST a page reads is cleaned by one of these first.

A form checks the shape of what was typed or chosen (a service of this centre, a code no longer
than its column, a date that parses) and says what is wrong in Vietnamese; whether the person may
do it (a proved phone, a free slot, an open counter) stays with the services, which raise
QueueError with their own message.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.citizen_id import validate_citizen_id
from registry.typed_text import TypedTextField

from .models import Counter, QueueService, Ticket
from .phone_codes import clean_phone
from .selectors import services_of
from .services import QueueError

CHOOSE_A_SERVICE = _("Hãy chọn một dịch vụ.")
CHOOSE_A_SLOT = _("Hãy chọn một khung giờ.")
SEND_CODE = "send_code"


def errors_by_field(form: forms.Form) -> dict[str, str]:
    """The form's messages, one line a field, as the pages show them next to each field."""
    return {name: " ".join(messages) for name, messages in form.errors.items()}


def first_error(form: forms.Form) -> QueueError:
    """The first message of an invalid form, for the pages that answer with a flash message."""
    return QueueError(next(iter(form.errors.values()))[0])


class TicketForm(forms.Form):
    """A number to take — at the kiosk, on the phone page or at the counter: one of this centre's
    services, and a priority group if one applies."""

    service = forms.ModelChoiceField(
        queryset=QueueService.objects.none(),
        # A forged or garbled id is "no service chosen", never a server error.
        error_messages={"required": CHOOSE_A_SERVICE, "invalid_choice": CHOOSE_A_SERVICE},
    )
    priority = forms.ChoiceField(
        choices=Ticket.Priority.choices,
        required=False,
        error_messages={"invalid_choice": _("Hãy chọn một diện ưu tiên trong danh sách.")},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_of(centre)

    def chosen(self) -> dict:
        """The service (if it is one of the centre's) and the priority, to show back as chosen."""
        self.is_valid()
        return {"service": self.cleaned_data.get("service"), "priority": self["priority"].value() or ""}


class PersonForm(forms.Form):
    """Who asks, on the pages open to anyone (take a number from afar, book): a phone and the
    one-time code sent to it, and the solved proof-of-work challenge of an anonymous browser
    (static/js/proof-of-work.js). `action` is "send_code" for the "Gửi mã" button.

    Only the shape is checked here; phone_codes.person_verify and challenge.challenge_verify decide.
    """

    phone = forms.CharField(
        required=False,
        max_length=15,
        error_messages={"max_length": _("Số điện thoại gồm 9 đến 11 chữ số, ví dụ 0912345678.")},
    )
    phone_code = forms.CharField(
        required=False, max_length=6, error_messages={"max_length": _("Mã xác nhận gồm 6 chữ số.")}
    )
    # A base64 JSON of a few hundred characters; a longer one is not a solution of ours.
    altcha = forms.CharField(
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Không xác minh được trình duyệt, hãy tải lại trang.")},
    )
    action = forms.ChoiceField(choices=[("", ""), (SEND_CODE, SEND_CODE)], required=False)

    def sends_code(self) -> bool:
        return self.is_valid() and self.cleaned_data["action"] == SEND_CODE

    def typed_phone(self) -> str:
        return self["phone"].value() or ""


class ServiceLetterForm(forms.Form):
    """The service a booking page is about, by its letter (A, B …), as the form posts it back."""

    service = forms.CharField(required=False, max_length=2)

    def letter(self) -> str:
        """The letter as posted (cleaned), whatever else of the form is wrong; "" for none."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get("service", "")


class SlotHoldForm(ServiceLetterForm):
    """The slot a person picked on the booking page, to hold while she completes the form."""

    starts_at = forms.DateTimeField(
        error_messages={"required": CHOOSE_A_SLOT, "invalid": _("Khung giờ không hợp lệ.")}
    )


class AppointmentChangeForm(forms.Form):
    """The buttons of an appointment's page: cancel, move to another slot, check in."""

    action = forms.ChoiceField(
        choices=[("cancel", "cancel"), ("reschedule", "reschedule"), ("check_in", "check_in")],
        error_messages={
            "required": _("Thao tác không hợp lệ."),
            "invalid_choice": _("Thao tác không hợp lệ."),
        },
    )
    starts_at = forms.DateTimeField(required=False, error_messages={"invalid": CHOOSE_A_SLOT})

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == "reschedule"
            and not data.get("starts_at")
            and "starts_at" not in self.errors
        ):
            self.add_error("starts_at", CHOOSE_A_SLOT)
        return data


class KioskCheckInForm(forms.Form):
    """At the kiosk: the booking code, and the code sent to her phone or the QR from her account."""

    code = forms.CharField(
        max_length=8,
        error_messages={
            "required": _("Hãy nhập mã đặt lịch."),
            "max_length": _("Mã đặt lịch gồm tối đa 8 ký tự."),
        },
    )
    # Six digits, or the signed token of the check-in QR.
    proof = forms.CharField(
        required=False, max_length=500, error_messages={"max_length": _("Mã xác nhận không đúng.")}
    )
    action = forms.ChoiceField(
        choices=[("", ""), ("check_in", "check_in"), (SEND_CODE, SEND_CODE)], required=False
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].upper()


class FinishForm(forms.Form):
    """Finishing a ticket at the counter: the code of the dossier received, if one was."""

    dossier_code = forms.CharField(
        required=False,
        max_length=40,
        error_messages={"max_length": _("Mã hồ sơ dài tối đa %(limit_value)d ký tự.")},
    )


class TransferForm(forms.Form):
    """Sending the ticket being served to another service or counter of the same centre."""

    service = forms.ModelChoiceField(
        queryset=QueueService.objects.none(),
        required=False,
        error_messages={"invalid_choice": CHOOSE_A_SERVICE},
    )
    counter = forms.ModelChoiceField(
        queryset=Counter.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Hãy chọn một quầy của trung tâm.")},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = QueueService.objects.filter(centre=centre)
        self.fields["counter"].queryset = Counter.objects.filter(centre=centre)


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

"""The e-form engine: Django forms built from a declarative definition (procedures/data).

A definition has steps; a step has fields and cross-field rules; a field has a type, a label,
validation and optionally a prefill attribute and a `show_if` condition. Compound types expand
into sub-fields named "<field>__<part>": a person block (full name, birth date, gender, ID
number) and an address (street, province, ward).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from divisions.models import Province, Ward
from registry.citizen_id import validate_citizen_id
from registry.typed_text import TypedTextField as TextAnswer
from uploads.forms import CheckedFileField

REVIEW_STEP = "kiem-tra"
PERSON_PARTS = ("full_name", "birth_date", "gender", "citizen_id")
# The parts of a person that identify them: taken from the registry, never from the client.
IDENTITY_PARTS = PERSON_PARTS
ADDRESS_PARTS = ("street", "province", "ward")
GENDERS = [("male", gettext_lazy("Nam")), ("female", gettext_lazy("Nữ"))]
YES_NO = [(True, gettext_lazy("Có")), (False, gettext_lazy("Không"))]


def label_of(item: dict) -> str:
    if (get_language() or "vi").startswith("en") and (item.get("label_en") or item.get("title_en")):
        return item.get("label_en") or item["title_en"]
    return item.get("label") or item.get("title", "")


def _relative_date(spec: str | None) -> datetime.date | None:
    """ "today", "-18y", "+2y" (relative to today), or an ISO date."""
    if not spec:
        return None
    today = timezone.localdate()
    if spec == "today":
        return today
    match = re.fullmatch(r"([+-]\d+)y", spec)
    if match:
        year = today.year + int(match.group(1))
        return today.replace(year=year, day=min(today.day, 28))
    return datetime.date.fromisoformat(spec)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _citizen_id_field(label: str, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=14,
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _date_field(spec: dict, label: str, required: bool) -> forms.DateField:
    field = forms.DateField(label=label, required=required, widget=DateInput())
    low, high = _relative_date(spec.get("min")), _relative_date(spec.get("max"))
    field.date_range = (low, high)
    if low:
        field.widget.attrs["min"] = low.isoformat()
    if high:
        field.widget.attrs["max"] = high.isoformat()
    return field


def _ward_choices():
    groups: dict[str, list] = {}
    for ward in Ward.objects.select_related("province").order_by("province__name", "name"):
        groups.setdefault(ward.province.name, []).append((str(ward.pk), ward.name))
    return [("", _("— Chọn phường, xã —")), *groups.items()]


def build_fields(spec: dict) -> dict[str, forms.Field]:
    """The Django form fields one definition field becomes."""
    kind = spec["type"]
    name = spec["name"]
    label = label_of(spec)
    # A conditional field is checked in the form's clean(), once we know whether it is shown.
    required = spec.get("required", True) and "show_if" not in spec
    if kind == "person":
        return {
            f"{name}__full_name": TextAnswer(
                label=_("Họ, chữ đệm và tên"), max_length=100, required=required
            ),
            f"{name}__birth_date": _date_field({"min": "-130y", "max": "today"}, _("Ngày sinh"), required),
            f"{name}__gender": forms.ChoiceField(
                label=_("Giới tính"), choices=GENDERS, widget=forms.RadioSelect, required=required
            ),
            f"{name}__citizen_id": _citizen_id_field(_("Số định danh cá nhân"), required),
        }
    if kind == "address":
        return {
            f"{name}__street": TextAnswer(
                label=_("Số nhà, đường phố, thôn, xóm"), max_length=200, required=required
            ),
            f"{name}__province": forms.ChoiceField(
                label=_("Tỉnh, thành phố"),
                required=required,
                choices=[("", _("— Chọn tỉnh, thành phố —"))]
                + [(str(p.pk), p.name) for p in Province.objects.order_by("name")],
                # With htmx, a chosen province narrows the ward list; without it, wards are grouped.
                widget=forms.Select(
                    attrs={
                        "hx-get": reverse_lazy("procedures:wards"),
                        "hx-target": "next select",
                        "hx-trigger": "change",
                    }
                ),
            ),
            f"{name}__ward": forms.ChoiceField(
                label=_("Phường, xã"), required=required, choices=_ward_choices()
            ),
        }
    if kind in ("text", "textarea"):
        validators = []
        if spec.get("pattern"):
            validators.append(RegexValidator(spec["pattern"], message=spec.get("pattern_message")))
        widget = forms.Textarea(attrs={"rows": 3}) if kind == "textarea" else forms.TextInput
        field = TextAnswer(
            label=label,
            required=required,
            max_length=spec.get("max_length", 255),
            validators=validators,
            widget=widget,
            multiline=kind == "textarea",
        )
    elif kind == "number":
        field = forms.IntegerField(
            label=label,
            required=required,
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    elif kind == "date":
        field = _date_field(spec, label, required)
    elif kind == "choice":
        choices = [(str(value), text) for value, text in spec["choices"]]
        widget = forms.RadioSelect if len(choices) <= 5 else forms.Select
        field = forms.ChoiceField(label=label, required=required, choices=choices, widget=widget)
    elif kind == "yesno":
        field = forms.TypedChoiceField(
            label=label,
            required=required,
            choices=YES_NO,
            coerce=lambda v: v in (True, "True"),
            empty_value=False,
            widget=forms.RadioSelect,
        )
    elif kind == "citizen_id":
        field = _citizen_id_field(label, required)
    elif kind == "file":
        # The one upload check (uploads.checks): type, size, PDF pages, virus scan.
        field = CheckedFileField(label=label, required=required)
        # The personal document wallet: a document filed before, instead of uploading it again.
        # Its choices are the person's own attachments, set per form (see StepForm.__init__).
        wallet = forms.ChoiceField(
            label=_("Hoặc dùng giấy tờ đã nộp trước đây"),
            required=False,
            choices=[],
            widget=forms.RadioSelect,
        )
        return {name: field, f"{name}__wallet": wallet}
    else:
        raise ValueError(f"unknown e-form field type {kind!r}")
    if spec.get("help"):
        field.help_text = spec["help"]
    return {name: field}


class AccessibleErrorsMixin:
    """Ties each error message to its field for screen readers (aria-invalid, aria-describedby)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class StepForm(AccessibleErrorsMixin, forms.Form):
    """One step of an e-form. Subclassed per step by `step_form_class`."""

    step: dict = {}
    prefilled: set[str]
    notes: dict[str, str]
    conditions: dict[str, tuple[str, str]]

    def __init__(self, *args, answers: dict | None = None, prefilled=None, notes=None, wallet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers or {}  # earlier steps' answers, for conditions that look back
        self.prefilled = set(prefilled or ())
        self.notes = notes or {}
        self.conditions = {}
        self.either_upload_or_wallet = []
        # Person blocks whose identity the registry gave: one note for the block, not one per field.
        self.registry_facts: set[str] = set()
        # A person's identity, where the population registry gave it, is a fact, not an answer: the
        # field is shown but takes no input, so whatever a client posts for it (page or API) is
        # ignored and the registry's value is what the form cleans to.
        for spec in self.step.get("fields", []):
            if spec["type"] == "person" and spec.get("prefill"):
                for part in IDENTITY_PARTS:
                    name = f"{spec['name']}__{part}"
                    if name in self.prefilled and name in self.fields:
                        self.fields[name].disabled = True
                        self.registry_facts.add(spec["name"])
        for spec in self.step.get("fields", []):
            if spec["type"] != "file":
                continue
            name = spec["name"]
            if wallet:
                self.fields[f"{name}__wallet"].choices = [("", _("Không, tôi tải tệp mới")), *wallet]
                if self.fields[name].required:
                    self.fields[name].required = False
                    self.either_upload_or_wallet.append(name)
            else:
                del self.fields[f"{name}__wallet"]
        for spec in self.step.get("fields", []):
            if "show_if" in spec:
                cond = spec["show_if"]
                self.conditions[spec["name"]] = (self.add_prefix(cond["field"]), str(cond["equals"]))

    def groups(self) -> list[dict]:
        """The definition's fields with their Django fields, for the template."""
        groups = []
        for spec in self.step.get("fields", []):
            name = spec["name"]
            names = [n for n in self.fields if n == name or n.startswith(f"{name}__")]
            groups.append(
                {
                    "spec": spec,
                    "label": label_of(spec),
                    "fields": [self[n] for n in names],
                    "compound": spec["type"] in ("person", "address"),
                    "prefilled": any(n in self.prefilled for n in names),
                    "note": self.notes.get(name),
                    "registry_fact": name in self.registry_facts,
                    "show_if": self.conditions.get(name),
                }
            )
        return groups

    def is_shown(self, spec: dict, cleaned: dict) -> bool:
        cond = spec.get("show_if")
        if not cond:
            return True
        value = cleaned.get(cond["field"], self.answers.get(cond["field"]))
        return str(value) == str(cond["equals"])

    def clean(self):
        cleaned = super().clean()
        for name in self.either_upload_or_wallet:
            if not cleaned.get(name) and not cleaned.get(f"{name}__wallet") and name not in self.errors:
                self.add_error(name, _("Hãy tải tệp lên hoặc chọn giấy tờ đã nộp trước đây."))
        for spec in self.step.get("fields", []):
            name = spec["name"]
            if not self.is_shown(spec, cleaned):
                cleaned.pop(name, None)
                self.errors.pop(name, None)
                continue
            if "show_if" in spec and spec.get("required", True) and cleaned.get(name) in (None, "", []):
                self.add_error(name, forms.Field.default_error_messages["required"])
        for name, field in self.fields.items():
            low, high = getattr(field, "date_range", (None, None))
            value = cleaned.get(name)
            if value and low and value < low:
                self.add_error(
                    name, _("Ngày không được trước %(date)s.") % {"date": low.strftime("%d/%m/%Y")}
                )
            if value and high and value > high:
                self.add_error(name, _("Ngày không được sau %(date)s.") % {"date": high.strftime("%d/%m/%Y")})
        for spec in self.step.get("fields", []):
            if spec["type"] == "address":
                ward_id, province_id = (
                    cleaned.get(f"{spec['name']}__ward"),
                    cleaned.get(f"{spec['name']}__province"),
                )
                if (
                    ward_id
                    and province_id
                    and not Ward.objects.filter(pk=ward_id, province_id=province_id).exists()
                ):
                    self.add_error(
                        f"{spec['name']}__ward", _("Phường, xã này không thuộc tỉnh, thành phố đã chọn.")
                    )
        for rule in self.step.get("rules", []):
            if rule["kind"] == "date_order":
                first, second = cleaned.get(rule["first"]), cleaned.get(rule["second"])
                if first and second and second <= first:
                    self.add_error(rule["second"], rule["message"])
        return cleaned


def step_form_class(step: dict) -> type[StepForm]:
    fields: dict[str, forms.Field] = {}
    for spec in step.get("fields", []):
        fields.update(build_fields(spec))
    return type("StepForm", (StepForm,), {"step": step, **fields})


class ReviewForm(AccessibleErrorsMixin, forms.Form):
    """The last step: check your answers, choose where to file, and sign the declaration."""

    step: dict = {}

    def __init__(self, *args, declaration: str = "", centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].label = declaration
        if centres is None:
            del self.fields["centre"]
        else:
            self.fields["centre"].choices = [(str(c.pk), c.name) for c in centres]

    centre = forms.ChoiceField(label=gettext_lazy("Nộp hồ sơ tại"), widget=forms.RadioSelect)
    declaration = forms.BooleanField(
        error_messages={"required": gettext_lazy("Hãy đánh dấu vào lời cam đoan để nộp hồ sơ.")}
    )


def form_list(definition: dict) -> list[tuple[str, type[forms.Form]]]:
    steps = [(step["name"], step_form_class(step)) for step in definition["steps"]]
    return [*steps, (REVIEW_STEP, ReviewForm)]


def step_initial(step: dict, prefill: dict[str, Any]) -> tuple[dict, set[str], dict[str, str]]:
    """Initial values from prefill plug-ins: (initial, names prefilled, notes such as an address change)."""
    initial: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for spec in step.get("fields", []):
        name, source = spec["name"], spec.get("prefill")
        if "initial" in spec:
            initial[name] = spec["initial"]
        if not source:
            continue
        if spec["type"] == "person":
            for part in PERSON_PARTS:
                if f"{source}.{part}" in prefill:
                    initial[f"{name}__{part}"] = prefill[f"{source}.{part}"]
        elif spec["type"] == "address":
            address = prefill.get(f"{source}.address")
            if address:
                initial[f"{name}__street"] = address["street"]
                if address["province"]:
                    initial[f"{name}__province"] = str(address["province"])
                if address["ward"]:
                    initial[f"{name}__ward"] = str(address["ward"])
                if address["changed"] or address["explanation"]:
                    notes[name] = address
        elif source in prefill:
            initial[name] = prefill[source]
    prefilled = {key for key, value in initial.items() if value not in (None, "")}
    prefilled -= {
        spec["name"] for spec in step.get("fields", []) if "initial" in spec and not spec.get("prefill")
    }
    return initial, prefilled, notes


def display_value(form: forms.Form, name: str, value: Any) -> str:
    field = form.fields[name]
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return str(_("Có") if value else _("Không"))
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(field, forms.ChoiceField):
        for key, text in field.choices:
            if isinstance(text, (list, tuple)):
                for sub_key, sub_text in text:
                    if str(sub_key) == str(value):
                        return str(sub_text)
            elif str(key) == str(value):
                return str(text)
    return str(value)


def frozen(value: Any) -> Any:
    """A cleaned value as stored on the dossier (JSON)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "read"):
        return getattr(value, "name", "")
    return value

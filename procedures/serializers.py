"""What the procedures API sends and accepts. Validation of e-form answers is not here: it is the
wizard's own forms (procedures/eforms.py), run through procedures/filing.py."""

from __future__ import annotations

import datetime

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.serializers import TrailSerializer
from uploads.checks import upload_check

from . import eforms, selectors
from .fees import fee_summary
from .models import Channel, Dossier, DossierEvent, Draft, FilingBasis, Procedure


class ProcedureSerializer(serializers.ModelSerializer):
    field_label = serializers.CharField(source="get_field_display")
    online_level_label = serializers.CharField(source="get_online_level_display")
    form_version = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "slug",
            "name",
            "name_en",
            "field",
            "field_label",
            "time_limit_days",
            "time_limit_note",
            "online_level",
            "online_level_label",
            "non_territorial",
            "result_document",
            "form_version",
        ]

    def get_form_version(self, procedure) -> int | None:
        form = procedure.current_form()
        return form.version if form else None


class ProcedureDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    original = serializers.BooleanField(required=False)
    copies = serializers.IntegerField(required=False)


class QueueLinkSerializer(serializers.Serializer):
    centre_code = serializers.CharField()
    centre_name = serializers.CharField()
    service = serializers.CharField()
    service_name = serializers.CharField()


class ProcedureDetailSerializer(ProcedureSerializer):
    fee = serializers.SerializerMethodField()
    documents = ProcedureDocumentSerializer(many=True)
    legal_basis = serializers.CharField()
    queues = serializers.SerializerMethodField()

    class Meta(ProcedureSerializer.Meta):
        fields = [*ProcedureSerializer.Meta.fields, "fee", "documents", "legal_basis", "queues"]

    def get_fee(self, procedure) -> str:
        return str(fee_summary(procedure.fee_rule))

    @extend_schema_field(QueueLinkSerializer(many=True))
    def get_queues(self, procedure):
        from queueing.selectors import services_for_procedure

        return [
            {
                "centre_code": service.centre.code,
                "centre_name": service.centre.name,
                "service": service.letter,
                "service_name": service.name,
            }
            for service in services_for_procedure(procedure.code)
        ]


# --- The form definition, for an app to render any e-form -----------------------------------


def _kind(field: forms.Field) -> str:
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field, forms.TypedChoiceField):
        return "boolean"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.IntegerField):
        return "number"
    if isinstance(field.widget, forms.Textarea):
        return "textarea"
    return "text"


def _choices(field: forms.ChoiceField) -> list[dict]:
    out = []
    for value, text in field.choices:
        if isinstance(text, (list, tuple)):  # a group (wards under their province)
            out.extend({"value": str(v), "label": str(t), "group": str(value)} for v, t in text)
        elif value not in ("", None):
            out.append({"value": str(value), "label": str(text), "group": ""})
    return out


def input_json(name: str, field: forms.Field) -> dict:
    """One input of a step: enough for an app to draw it and to check it before sending."""
    kind = _kind(field)
    item = {
        "name": name,
        "kind": kind,
        "label": str(field.label or ""),
        "required": field.required,
        "help_text": str(field.help_text or ""),
    }
    if kind in ("text", "textarea") and getattr(field, "max_length", None):
        item["max_length"] = field.max_length
    if kind == "number":
        item["min_value"], item["max_value"] = field.min_value, field.max_value
    if kind == "date":
        low, high = getattr(field, "date_range", (None, None))
        item["min_date"] = low.isoformat() if isinstance(low, datetime.date) else None
        item["max_date"] = high.isoformat() if isinstance(high, datetime.date) else None
    if kind in ("choice", "boolean"):
        item["choices"] = _choices(field)
    if kind == "file":
        item["accept"] = ["application/pdf", "image/jpeg", "image/png"]
    for validator in field.validators:
        regex = getattr(validator, "regex", None)
        if regex is not None:
            item["pattern"] = regex.pattern
    return item


def form_definition_json(form_definition) -> dict:
    definition = form_definition.definition
    steps = []
    for step in definition["steps"]:
        form_class = eforms.step_form_class(step)
        fields = []
        for spec in step.get("fields", []):
            name = spec["name"]
            inputs = [
                input_json(n, f)
                for n, f in form_class.base_fields.items()
                if (n == name or n.startswith(f"{name}__")) and not n.endswith("__wallet")
            ]
            fields.append(
                {
                    "name": name,
                    "type": spec["type"],
                    "label": eforms.label_of(spec),
                    "prefill": spec.get("prefill"),
                    "show_if": spec.get("show_if"),
                    "inputs": inputs,
                }
            )
        steps.append(
            {
                "name": step["name"],
                "title": eforms.label_of(step),
                "show_if": step.get("show_if"),
                "rules": step.get("rules", []),
                "fields": fields,
            }
        )
    return {
        "procedure": form_definition.procedure.slug,
        "version": form_definition.version,
        "declaration": definition.get("declaration", ""),
        "review_step": eforms.REVIEW_STEP,
        "steps": steps,
        "definition": definition,
    }


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField(allow_blank=True)


class InputSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["text", "textarea", "number", "date", "choice", "boolean", "file"]
    )
    label = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    help_text = serializers.CharField(allow_blank=True)
    max_length = serializers.IntegerField(required=False)
    min_value = serializers.IntegerField(required=False, allow_null=True)
    max_value = serializers.IntegerField(required=False, allow_null=True)
    min_date = serializers.DateField(required=False, allow_null=True)
    max_date = serializers.DateField(required=False, allow_null=True)
    choices = ChoiceSerializer(many=True, required=False)
    accept = serializers.ListField(child=serializers.CharField(), required=False)
    pattern = serializers.CharField(required=False)


class FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    prefill = serializers.CharField(allow_null=True)
    show_if = serializers.DictField(allow_null=True)
    inputs = InputSerializer(many=True)


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    show_if = serializers.DictField(allow_null=True)
    rules = serializers.ListField(child=serializers.DictField())
    fields = FieldSerializer(many=True)


class FormDefinitionSerializer(serializers.Serializer):
    procedure = serializers.CharField()
    version = serializers.IntegerField()
    declaration = serializers.CharField(allow_blank=True)
    review_step = serializers.CharField()
    steps = StepSerializer(many=True)
    definition = serializers.DictField(help_text="The definition as stored (procedures/data).")


# --- Drafts ---------------------------------------------------------------------------------


class DraftStartSerializer(serializers.Serializer):
    procedure = serializers.SlugField(help_text="The procedure's slug, from the catalogue.")
    applicant_citizen_id = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        help_text="Who the dossier is for: yourself (default), your child under 18 (you are the head of "
        "the household or the head's spouse in the population registry), or, with "
        "`authorisation_letter` and `applicant_name`, the person who authorised you. "
        "Counter staff: the walk-in citizen, or the sender of a postal dossier.",
    )
    applicant_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="With `authorisation_letter`: the full name of the person who authorised you, as on "
        "the letter; it must match the population registry (a check only: the dossier carries the "
        "registry's name).",
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        default=Channel.ONLINE,
        help_text="online for citizens; counter or paper for counter staff filing on someone's behalf.",
    )
    consent = serializers.BooleanField(
        default=False,
        help_text="Counter staff: the citizen showed her papers and agreed to the registry look-up "
        "(recorded on the draft). Not needed when her ticket is being served at your counter; "
        "without either a counter start is refused (403).",
    )
    postal = serializers.BooleanField(
        default=False,
        help_text="Counter staff: a paper dossier that came by post, and the envelope holds the "
        "application signed by the citizen (recorded; the draft's channel becomes paper, its basis "
        "`postal`). No ticket or consent is needed then.",
    )


class DraftStartLetterSerializer(DraftStartSerializer):
    """The same start as multipart, with the authorised representative's letter."""

    authorisation_letter = serializers.FileField(
        required=False,
        validators=[upload_check],
        error_messages={
            "invalid": _("Hãy gửi giấy ủy quyền dưới dạng tệp (multipart/form-data)."),
            "empty": _("Tệp giấy ủy quyền trống."),
            "no_name": _("Hãy gửi giấy ủy quyền dưới dạng tệp (multipart/form-data)."),
        },
        help_text="The authorisation letter (giấy ủy quyền): PDF, JPEG or PNG (sniffed from the bytes), "
        "within the size and page limits, virus-scanned. Filed with the dossier; the draft's basis is "
        "`authorised`.",
    )


class StepStateSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    saved = serializers.BooleanField()
    values = serializers.DictField(help_text="What was sent for this step, by input name.")
    initial = serializers.DictField(help_text="Prefilled values (population registry), by input name.")
    prefilled = serializers.ListField(child=serializers.CharField())
    files = serializers.ListField(child=serializers.CharField(), help_text="Inputs with a stored file.")
    wallet = ChoiceSerializer(many=True, help_text="Documents filed before, usable instead of an upload.")


class CentreChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DraftSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    procedure = serializers.CharField()
    form_version = serializers.IntegerField()
    applicant_citizen_id = serializers.CharField()
    channel = serializers.CharField()
    basis = serializers.ChoiceField(choices=FilingBasis.choices, help_text="On what ground it is filed")
    current_step = serializers.CharField(allow_null=True)
    steps = StepStateSerializer(many=True)
    centres = CentreChoiceSerializer(many=True, allow_null=True)
    initial_centre = serializers.IntegerField(allow_null=True)
    declaration = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()


class DraftListItemSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="form.procedure.slug")
    form_version = serializers.IntegerField(source="form.version")

    class Meta:
        model = Draft
        fields = ["id", "procedure", "form_version", "applicant_citizen_id", "channel", "updated_at"]


class StepSavedSerializer(serializers.Serializer):
    step = serializers.CharField()
    next_step = serializers.CharField()


class SubmitSerializer(serializers.Serializer):
    centre = serializers.IntegerField(
        required=False, help_text="Where to file (one of the draft's `centres`); not for counter filing."
    )
    declaration = serializers.BooleanField(help_text="The applicant's signed declaration: must be true.")


# --- Dossiers -------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = DossierEvent
        fields = ["kind", "kind_label", "status", "status_label", "at", "note"]


class DossierSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.slug")
    procedure_name = serializers.CharField(source="procedure.name")
    centre = serializers.CharField(source="centre.code")
    centre_name = serializers.CharField(source="centre.name")
    status_label = serializers.CharField(source="get_status_display")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "procedure_name",
            "centre",
            "centre_name",
            "channel",
            "status",
            "status_label",
            "applicant_name",
            "fee",
            "received_at",
            "due_date",
            "due_at",
            "deadline_state",
            "settled_at",
            "url",
        ]

    def get_url(self, dossier) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:dossier", args=[dossier.code]))


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    component = serializers.CharField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download = serializers.URLField()


class DossierDocumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.CharField()
    valid = serializers.BooleanField()
    download = serializers.URLField(allow_null=True)
    verify = serializers.URLField()


class DossierDetailSerializer(DossierSerializer):
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    trail = serializers.SerializerMethodField(
        help_text="The audit trail between units: each hand-over, action and whether the step was on time"
    )

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "applicant_citizen_id",
            "timeline",
            "trail",
            "attachments",
            "documents",
        ]

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, dossier):
        return EventSerializer(selectors.events_of(dossier), many=True).data

    @extend_schema_field(TrailSerializer(many=True))
    def get_trail(self, dossier):
        from routing.selectors import timeline_of

        return TrailSerializer(timeline_of(dossier), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, dossier):
        request = self.context["request"]
        return [
            {
                "id": a.pk,
                "component": a.component,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "download": request.build_absolute_uri(reverse("api:attachment", args=[dossier.code, a.pk])),
            }
            for a in dossier.attachments.all()
        ]

    @extend_schema_field(DossierDocumentSerializer(many=True))
    def get_documents(self, dossier):
        from documents.selectors import documents_downloadable_by
        from documents.serializers import document_links

        request = self.context["request"]
        found = (
            documents_downloadable_by(request.user).filter(subject_ref=dossier.code).select_related("issuer")
        )
        return [document_links(request, d) for d in found]


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    pin = serializers.CharField(max_length=12, help_text="The 8-digit look-up PIN printed on the receipt.")


class LookupResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    due_date = serializers.DateField()

"""What the agency API sends and accepts. Inputs are checked here for shape only; the rules
(which outcome, which state) are the services', as on the pages."""

from __future__ import annotations

from rest_framework import serializers

from uploads.checks import upload_check

from . import selectors
from .models import DossierStep, Transition


class OutcomeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class DossierStepSerializer(serializers.ModelSerializer):
    """A step in an agency's inbox: the dossier it belongs to, its deadline and what may be done."""

    dossier = serializers.CharField(source="dossier.code")
    procedure = serializers.CharField(source="dossier.procedure.name")
    applicant_name = serializers.CharField(source="dossier.applicant_name")
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    key = serializers.CharField(source="definition.key")
    name = serializers.CharField(source="definition.name")
    kind = serializers.CharField(source="definition.kind")
    state_label = serializers.CharField(source="get_state_display")
    remaining = serializers.SerializerMethodField(help_text="Time left, in words (paused while waiting)")
    officer = serializers.SerializerMethodField()
    outcomes = OutcomeSerializer(many=True, source="definition.outcomes")
    actions = serializers.SerializerMethodField(help_text="Actions the step's state allows now")

    class Meta:
        model = DossierStep
        fields = [
            "id",
            "dossier",
            "procedure",
            "applicant_name",
            "agency",
            "agency_name",
            "key",
            "name",
            "kind",
            "stage",
            "state",
            "state_label",
            "started_at",
            "due_at",
            "remaining",
            "paused_at",
            "missing",
            "outcome",
            "note",
            "officer",
            "outcomes",
            "actions",
        ]

    def get_remaining(self, step) -> str:
        return selectors.remaining_of(step)

    def get_officer(self, step) -> str:
        officer = step.officer
        return (officer.get_full_name() or officer.username) if officer else ""

    def get_actions(self, step) -> list[str]:
        return selectors.actions_on(step)


class TrailSerializer(serializers.ModelSerializer):
    """One line of the dossier's audit trail: who moved it where, and whether the step was on time."""

    state_label = serializers.CharField(source="to_label")

    class Meta:
        model = Transition
        fields = [
            "at",
            "actor_name",
            "from_state",
            "to_state",
            "state_label",
            "from_unit",
            "to_unit",
            "note",
            "handover",
            "step_due_at",
            "step_on_time",
        ]


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        max_length=50, allow_blank=True, default="", help_text="One of the step's `outcomes` keys"
    )
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(validators=[upload_check]), required=False, default=list
    )


class SupplementRequestSerializer(serializers.Serializer):
    missing = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True),
        help_text="Each missing document, one item each (form 02)",
    )
    reason = serializers.CharField(max_length=4000, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")


class RefuseSerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        help_text="Reasons, one item each (form 03)",
    )


class SupplementAnswerSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(validators=[upload_check]),
        required=False,
        default=list,
        help_text="PDF, JPEG or PNG (sniffed from the bytes), within the size and page limits, virus-scanned",
    )

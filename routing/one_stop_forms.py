"""The one-stop forms routing issues (Circular 01/2018 forms 02-06) through the documents app: what
every form says about the dossier, and form 06, the process-control slip from the trail's
hand-over lines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Dossier

from .models import Transition


def actor_name(user) -> str:
    """Who did it, as the trail and the forms print it."""
    if user is None:
        return _("Hệ thống")
    return user.get_full_name() or user.get_username()


def document_context(dossier: Dossier, officer) -> dict:
    """What every one-stop form says about the dossier."""
    return {
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "applicant_address": "",
        "procedure_name": dossier.procedure.name,
        "received_at": dossier.received_at.isoformat(),
        "due_at": (dossier.due_at or dossier.received_at).isoformat(),
        "officer_name": actor_name(officer) if officer else "",
    }


def form_request(*, dossier: Dossier, kind: str, key: str, context: dict):
    """Ask the documents app for one of the one-stop forms, issued by the centre's reception unit."""
    from accounts.models import User
    from agencies.selectors import reception_of
    from documents.services import document_request

    issuer = reception_of(dossier.centre)
    if issuer is None:
        return None
    return document_request(
        key=key,
        kind=kind,
        issuer=issuer,
        number=dossier.code,
        subject_ref=dossier.code,
        owner=User.objects.filter(citizen_id=dossier.applicant_citizen_id).first(),
        holder_name=dossier.applicant_name,
        context=context,
    )


# --- Form 06 ------------------------------------------------------------------------------------


@dataclass
class Handover:
    from_unit: str
    from_person: str
    to_unit: str
    at: datetime.datetime
    step_due: datetime.datetime | None
    on_time: bool | None


def _timeliness(transition: Transition) -> str:
    """Form 06's column: early (a day or more ahead), on time (by the deadline), late."""
    if transition.step_on_time is False:
        return "late"
    if transition.step_due_at and timezone.localdate(transition.at) < timezone.localdate(
        transition.step_due_at
    ):
        return "early"
    return "on_time"


def process_control_document_request(*, dossier: Dossier):
    """Form 06, the process-control slip, from the hand-over lines of the trail."""
    from documents.models import Document

    handovers = Transition.objects.filter(dossier=dossier, handover=True).order_by("at", "pk")
    steps = list(dossier.steps.select_related("agency").order_by("stage", "pk"))
    lead = next((s.agency.name for s in steps if s.definition.kind == "processing"), "")
    partners = sorted({s.agency.name for s in steps if s.definition.kind == "processing"} - {lead})
    return form_request(
        dossier=dossier,
        kind=Document.Kind.PROCESS_CONTROL,
        key=f"{Document.Kind.PROCESS_CONTROL}:{dossier.code}",
        context=document_context(dossier, None)
        | {
            "lead_agency": lead,
            "partner_agencies": partners,
            "handovers": [
                {
                    "from_unit": t.from_unit,
                    "from_person": t.actor_name,
                    "to_unit": t.to_unit,
                    "to_person": "",
                    "at": t.at.isoformat(),
                    "step_due": timezone.localtime(t.step_due_at).date().isoformat() if t.step_due_at else "",
                    "timeliness": _timeliness(t),
                }
                for t in handovers
            ],
        },
    )

"""Reads of routing: where permission filtering lives."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from procedures.models import Dossier

from .models import OPEN_STATES, DossierStep, OutboxMessage, StepState, Transition


def steps_of(dossier: Dossier) -> list[DossierStep]:
    return list(
        DossierStep.objects.filter(dossier=dossier)
        .select_related("agency", "definition", "officer")
        .order_by("stage", "pk")
    )


@dataclass
class CurrentStep:
    step: DossierStep
    unit: Agency
    officer: object
    since: object
    due_at: object
    state: str


def current_steps(dossier: Dossier) -> list[CurrentStep]:
    """Where the dossier is now: its open steps (more than one while parallel branches run)."""
    return [
        CurrentStep(
            step=s, unit=s.agency, officer=s.officer, since=s.started_at, due_at=s.due_at, state=s.state
        )
        for s in steps_of(dossier)
        if s.state in OPEN_STATES
    ]


def timeline_of(dossier: Dossier) -> list[Transition]:
    return list(
        Transition.objects.filter(dossier=dossier).select_related("step__definition").order_by("at", "pk")
    )


def agencies_of(user) -> QuerySet[Agency]:
    """The agencies whose inbox the user works: their own agencies, and the reception unit of their centre."""
    if not user.is_authenticated:
        return Agency.objects.none()
    scopes = Membership.objects.filter(user=user)
    officer = scopes.filter(role=Membership.Role.AGENCY_OFFICER).values("agency")
    centre_wards = scopes.filter(role=Membership.Role.COUNTER_STAFF).values("centre__ward")
    return Agency.objects.filter(
        Q(pk__in=officer) | Q(kind=Agency.Kind.ONE_STOP, ward__in=centre_wards)
    ).order_by("name")


def _reception_wards(agencies: list[Agency]) -> list[int]:
    return [a.ward_id for a in agencies if a.kind == Agency.Kind.ONE_STOP and a.ward_id]


def _with_relations(steps: QuerySet[DossierStep]) -> QuerySet[DossierStep]:
    return steps.select_related("dossier__procedure", "dossier__centre", "agency", "definition", "officer")


def inbox_for(agencies) -> QuerySet[DossierStep]:
    """Open steps at these agencies, most urgent first; a reception unit also sees dossiers of its
    ward's centres returned to it for correction."""
    agencies = list(agencies)
    return _with_relations(
        DossierStep.objects.filter(
            Q(agency__in=agencies, state__in=[StepState.WAITING, StepState.ACCEPTED, StepState.SUPPLEMENT])
            | Q(state=StepState.RETURNED, dossier__centre__ward__in=_reception_wards(agencies))
        )
    ).order_by("due_at", "pk")


def steps_visible_to(user) -> QuerySet[DossierStep]:
    """Every step the user may see, in any state: the steps of their agencies, and for a reception
    unit every step of the dossiers filed at its ward's centres (its counter staff see those
    dossiers whole, and it resubmits the steps returned to it).

    Wider than the inbox on purpose: an action on a step that has moved on since it was listed (a
    colleague finished it first) must reach the service, which answers that it has moved on (409),
    instead of looking like a step that does not exist (404)."""
    agencies = list(agencies_of(user))
    return _with_relations(
        DossierStep.objects.filter(
            Q(agency__in=agencies) | Q(dossier__centre__ward__in=_reception_wards(agencies))
        )
    )


def step_for_user(user, step_id: int) -> DossierStep | None:
    return steps_visible_to(user).filter(pk=step_id).first()


def is_supervisor(user) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR).exists()
    )


def dossiers_supervised_by(user) -> QuerySet[Dossier]:
    scopes = Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR)
    return Dossier.objects.filter(
        Q(centre__in=scopes.values("centre")) | Q(centre__ward__province__in=scopes.values("province"))
    )


def dead_letters(user) -> QuerySet[OutboxMessage]:
    if not is_supervisor(user):
        return OutboxMessage.objects.none()
    supervised = dossiers_supervised_by(user)
    return (
        OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD)
        .filter(Q(dossier__in=supervised) | Q(dossier__isnull=True))
        .select_related("dossier")
        .order_by("created_at")
    )


def remaining_of(step: DossierStep) -> str:
    """The time left on a step, in words, as the inbox and the API show it."""
    from calendars.clock import remaining_label

    if step.state == StepState.SUPPLEMENT:
        return _("Tạm dừng, chờ công dân bổ sung")
    return remaining_label(step.due_at)


# What an officer may do with a step in each state (the services enforce it; this tells the apps).
ACTIONS_BY_STATE = {
    StepState.WAITING: ["accept", "complete", "supplement-request", "return", "refuse"],
    StepState.ACCEPTED: ["complete", "supplement-request", "return", "refuse"],
    StepState.RETURNED: ["resubmit", "refuse"],
}


def actions_on(step: DossierStep) -> list[str]:
    return list(ACTIONS_BY_STATE.get(step.state, []))

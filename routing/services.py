"""Routing dossiers between agencies: the route itself. Choosing each step's agency, starting a
dossier's route, opening each stage, finishing and settling, and the trail every change writes.

Beside it, one concern each: processes.py (loading the processes), handoffs.py (delivering the
hand-offs the changes here put in the outbox), actions.py (officers' actions on a step),
one_stop_forms.py (the forms routing issues, form 06 among them).

Every function that changes state is one transaction. Hand-offs between stages are never made
directly: the state change and its `OutboxMessage` are written together and a routing worker
delivers the message after commit, so a crash between the two cannot lose or invent a hand-off.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from calendars import clock
from divisions.models import Ward
from notifications.services import notify
from outbox.services import wake as outbox_wake
from procedures.models import Channel, Dossier

from . import events
from .models import (
    OPEN_STATES,
    DossierStep,
    OutboxMessage,
    Process,
    RoutingRule,
    StepDefinition,
    StepState,
    Transition,
)
from .one_stop_forms import actor_name, process_control_document_request

logger = logging.getLogger(__name__)

STOPPED = Dossier.Status.STOPPED


class RoutingError(Exception):
    """An action refused, with a message for the officer: what they sent is incomplete, or the
    step's or dossier's state does not allow it (`NotNow`)."""


class NotNow(RoutingError):
    """The input is fine but the step or dossier is no longer (or not yet) where the action applies:
    typically a colleague acted first. The API answers 409 Conflict."""


class NoRoute(Exception):
    pass


def online_confirm_time() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ROUTING_ONLINE_CONFIRM_HOURS)


# --- Choosing the agency --------------------------------------------------------------------


def applicant_ward(dossier: Dossier) -> Ward | None:
    """The ward the applicant lives in today: their registry address, moved to its post-2025 ward."""
    from registry.selectors import citizen_profile

    profile = citizen_profile(dossier.applicant_citizen_id)
    if profile is None:
        return None
    return profile.address.ward


def _rule_target(rule: RoutingRule, *, kind: str, dossier: Dossier, home) -> Agency | None:
    agencies = Agency.objects.filter(kind=kind).order_by("pk")
    if rule.target == RoutingRule.Target.AGENCY:
        return rule.agency
    if rule.target == RoutingRule.Target.APPLICANT_WARD:
        return agencies.filter(ward=home.ward).first() if home.ward else None
    if rule.target == RoutingRule.Target.CENTRE_WARD:
        return agencies.filter(ward=dossier.centre.ward_id).first()
    return agencies.filter(ward__isnull=True, province=dossier.centre.ward.province_id).first()


class _Home:
    """The applicant's ward today, looked up only if a rule needs it (a registry call), then kept."""

    def __init__(self, dossier: Dossier):
        self.dossier = dossier
        self._ward: Ward | None = None
        self._known = False
        self._rules: list[RoutingRule] | None = None

    @property
    def rules(self) -> list[RoutingRule]:
        if self._rules is None:
            self._rules = list(RoutingRule.objects.select_related("agency").order_by("position"))
        return self._rules

    @property
    def ward(self) -> Ward | None:
        if not self._known:
            self._ward = applicant_ward(self.dossier)
            self._known = True
        return self._ward


def agency_for(*, dossier: Dossier, definition: StepDefinition, home: _Home | None = None) -> Agency:
    """The agency that takes this step of this dossier: the first rule that yields one wins."""
    home = home or _Home(dossier)
    for rule in home.rules:
        if rule.procedure_codes and dossier.procedure.code not in rule.procedure_codes:
            continue
        if rule.step_keys and definition.key not in rule.step_keys:
            continue
        if rule.agency_kinds and definition.agency_kind not in rule.agency_kinds:
            continue
        if rule.ward_id and rule.ward_id != (home.ward.pk if home.ward else dossier.centre.ward_id):
            continue
        agency = _rule_target(rule, kind=definition.agency_kind, dossier=dossier, home=home)
        if agency is not None:
            return agency
    raise NoRoute(f"no agency for {dossier.code} step {definition.key} ({definition.agency_kind})")


# --- Handing off ---------------------------------------------------------------------------


def outbox_put(
    *, key: str, topic: str, payload: dict, dossier: Dossier | None = None, first: bool = False
) -> OutboxMessage:
    """Write a hand-off in the caller's transaction; a routing worker delivers it once that commits.

    The message row is the hand-off itself: no broker message carries it, so a Redis restarted
    empty or a worker killed mid-way loses nothing (the relay, woken by the commit, has a worker
    deliver what is due: `handoffs_deliver`).

    `first`: the caller knows no message can have this key yet (it belongs to a dossier created in
    the same transaction), which spares the look-up and savepoint of a keyed write on the busiest
    path, filing. The key's unique index still guards it.
    """
    fields = {"topic": topic, "payload": payload, "dossier": dossier}
    if first:
        message, created = OutboxMessage.objects.create(key=key, **fields), True
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
    if created:
        outbox_wake()
    return message


# --- The trail ------------------------------------------------------------------------------


def _record(*, dossier, to_state, key=None, step=None, actor=None, at=None, **fields) -> Transition:
    # A plain insert: every key is written once, under the dossier's row lock (or is a fresh
    # uuid); were a hand-off ever applied twice, the unique key would roll the second one back.
    return Transition.objects.create(
        key=key or f"action:{uuid.uuid4().hex}",
        dossier=dossier,
        step=step,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor_name(actor),
        to_state=to_state,
        **fields,
    )


# --- Starting and handing on ----------------------------------------------------------------


def dossier_route_start(*, dossier: Dossier) -> OutboxMessage | None:
    """When a dossier is entered in the books (procedures.events.dossier_entering, routing/receivers.py),
    in that transaction: record the filing on the trail and queue the first hand-off."""
    _record(
        dossier=dossier,
        key=f"submitted:{dossier.pk}",
        to_state=Dossier.Status.RECEIVED,
        actor=dossier.submitted_by,
        at=dossier.received_at,
        to_unit=dossier.centre.name,
        note=Channel(dossier.channel).label,
    )
    if not Process.objects.filter(procedure_id=dossier.procedure_id).exists():
        logger.warning("procedure %s has no process: dossier %s is not routed", dossier.procedure_id, dossier)
        return None
    return outbox_put(
        key=f"start:{dossier.pk}",
        topic="route_start",
        payload={"dossier_id": dossier.pk},
        dossier=dossier,
        first=True,
    )


def _step_due(*, dossier: Dossier, definition: StepDefinition, started_at: datetime.datetime):
    if definition.kind == StepDefinition.Kind.RECEPTION and dossier.channel == Channel.ONLINE:
        due = clock.add_working_time(started_at, online_confirm_time())
    else:
        limit = clock.working_time_between(dossier.received_at, dossier.due_at)
        due = clock.add_working_time(started_at, limit * definition.share / 100)
    return min(due, dossier.due_at)


def _definitions(dossier: Dossier) -> list[StepDefinition]:
    """The dossier's process, read once per dossier object (hand-offs read it several times)."""
    cached = getattr(dossier, "_routing_definitions", None)
    if cached is None:
        cached = list(
            StepDefinition.objects.filter(process__procedure_id=dossier.procedure_id).order_by("stage", "pk")
        )
        dossier._routing_definitions = cached
    return cached


def _stage_definitions(dossier: Dossier, stage: int) -> list[StepDefinition]:
    return [d for d in _definitions(dossier) if d.stage == stage]


def _next_stage(dossier: Dossier, stage: int) -> int | None:
    return next((d.stage for d in _definitions(dossier) if d.stage > stage), None)


# --- Checks with other systems (connectors) ---------------------------------------------------


def _citizen_params(dossier: Dossier) -> dict:
    params = {"citizen_id": dossier.applicant_citizen_id, "full_name": dossier.applicant_name}
    birth_date = (dossier.data or {}).get("applicant__birth_date")
    if birth_date:
        params["birth_date"] = str(birth_date)
    return params


def _business_name_params(dossier: Dossier) -> dict | None:
    data = dossier.data or {}
    # Registration names the household in `business_name`; a change of registration only when
    # the change is the name (change_kind "ten", the new name in `new_value`).
    name = data.get("business_name") or (data.get("new_value") if data.get("change_kind") == "ten" else "")
    if not name:
        return None
    return {"name": name, "dossier_code": dossier.code}


def _fee_params(dossier: Dossier) -> dict | None:
    if not dossier.fee:  # free, exempt or a zero provincial rate: nothing to check
        return None
    return {"reference": dossier.code, "amount": dossier.fee}


# Check name -> the dossier's parameters for it; None = the check does not apply to this dossier.
CHECK_PARAMS = {
    "citizen_verify": _citizen_params,
    "business_name_unique": _business_name_params,
    "fee_paid": _fee_params,
}


def _request_checks(*, dossier: Dossier, step: DossierStep) -> None:
    """Ask for the step's checks. check_request only writes a row (keyed by step and check) and
    queues the call after commit, so no connector and no second hand-off can fail or duplicate
    anything here. The savepoint guards the hand-off against what check_request cannot: a
    misconfigured backend path, odd form data — logged, the step opens without that check."""
    from connectors.services import check_request

    for check in step.definition.checks:
        try:
            with transaction.atomic():
                params = CHECK_PARAMS[check](dossier)
                if params is not None:
                    check_request(key=f"check:{step.pk}:{check}", check=check, params=params, dossier=dossier)
        except Exception:  # noqa: BLE001 - a check is advice; the hand-off must go on
            logger.exception("check %s not requested for step %s of %s", check, step.pk, dossier)


def _open_stage(dossier: Dossier, stage: int, *, at: datetime.datetime) -> list[DossierStep]:
    home = _Home(dossier)
    existing = {s.definition_id: s for s in dossier.steps.filter(stage=stage).select_related("definition")}
    opened = []
    for definition in _stage_definitions(dossier, stage):
        if definition.pk in existing:  # opened already: a repeated hand-off changes nothing
            opened.append(existing[definition.pk])
            continue
        agency = agency_for(dossier=dossier, definition=definition, home=home)
        step = DossierStep.objects.create(
            dossier=dossier,
            definition=definition,
            agency=agency,
            stage=stage,
            started_at=at,
            due_at=_step_due(dossier=dossier, definition=definition, started_at=at),
        )
        _record(
            dossier=dossier,
            step=step,
            key=f"open:{step.pk}",
            to_state=StepState.WAITING,
            at=at,
            to_unit=agency.name,
            note=definition.name,
        )
        _request_checks(dossier=dossier, step=step)
        opened.append(step)
    return opened


def _route_start(*, dossier_id: int) -> None:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "centre__ward")
        .get(pk=dossier_id)
    )
    first = _next_stage(dossier, 0)
    if first is None:
        return
    steps = _open_stage(dossier, first, at=dossier.received_at)
    # At the counter the clerk has already checked and received the dossier in person: the
    # reception step is done and the next stage opens now, its clock running from receipt.
    if dossier.channel != Channel.ONLINE and all(s.definition.kind == "reception" for s in steps):
        following = _next_stage(dossier, first)
        opened = _open_stage(dossier, following, at=dossier.received_at) if following else []
        for step in steps:
            if step.state == StepState.WAITING:
                _finish(
                    step,
                    actor=dossier.submitted_by,
                    outcome="tiep-nhan",
                    at=dossier.received_at,
                    hand_on=False,
                    to_units=[s.agency.name for s in opened],
                )
        if opened and dossier.status == Dossier.Status.RECEIVED:
            dossier.status = Dossier.Status.PROCESSING
            dossier.save(update_fields=["status"])


def _stage_open(*, dossier_id: int, stage: int | None, dossier: Dossier | None = None) -> None:
    dossier = dossier or (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "centre__ward")
        .get(pk=dossier_id)
    )
    if stage is None or dossier.status in (Dossier.Status.REFUSED, STOPPED):
        return
    _open_stage(dossier, stage, at=timezone.now())
    if dossier.status == Dossier.Status.RECEIVED:
        dossier.status = Dossier.Status.PROCESSING
        dossier.save(update_fields=["status"])


HANDLERS = {"route_start": _route_start, "stage_open": _stage_open}


def _finish(
    step: DossierStep,
    *,
    actor,
    outcome: str,
    at: datetime.datetime,
    note: str = "",
    hand_on: bool = True,
    to_units: list[str] | None = None,
) -> int | None:
    """Close a step and hand over: one trail line per hand-over, with whether the step was on time.

    When this closes its stage, the next stage is handed on through the outbox (or, with
    hand_on=False, returned for a caller already inside the consumer to open at once).
    """
    dossier = step.dossier
    from_state = step.state
    step.state = StepState.DONE
    step.finished_at = at
    step.on_time = at <= step.due_at
    step.outcome = outcome
    step.officer = step.officer or actor
    if note:
        step.note = note
    step.save()
    next_stage = _next_stage(dossier, step.stage)
    next_units = list(to_units or [])
    home = _Home(dossier)
    if next_stage is not None and to_units is None:
        for definition in _stage_definitions(dossier, next_stage):
            try:
                next_units.append(agency_for(dossier=dossier, definition=definition, home=home).name)
            except NoRoute:
                next_units.append(definition.get_agency_kind_display())
    _record(
        dossier=dossier,
        step=step,
        key=f"done:{step.pk}",
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=StepState.DONE,
        from_unit=step.agency.name,
        to_unit=", ".join(next_units) or _("Công dân"),
        handover=True,
        step_due_at=step.due_at,
        step_on_time=step.on_time,
        note=note or outcome,
    )
    kind = step.definition.kind
    if kind == StepDefinition.Kind.RECEPTION:
        notify(
            key=f"dossier_received:{dossier.code}",
            kind="dossier_received",
            citizen_id=dossier.applicant_citizen_id,
            dossier=dossier,
            context={"dossier_code": dossier.code, "procedure_name": dossier.procedure.name},
        )
    if kind == StepDefinition.Kind.APPROVAL:
        _settle(dossier, status=Dossier.Status.DONE, at=at)
        from documents.results import result_document_request

        result = result_document_request(dossier=dossier)
        notify(
            key=f"result_ready:{dossier.code}",
            kind="result_ready",
            citizen_id=dossier.applicant_citizen_id,
            dossier=dossier,
            context={
                "dossier_code": dossier.code,
                "procedure_name": dossier.procedure.name,
                "document_code": result.code if result else "",
            },
        )
        process_control_document_request(dossier=dossier)
    if step.dossier.steps.filter(stage=step.stage, state__in=OPEN_STATES).exists():
        return None  # a parallel branch is still running: the join waits for it
    if next_stage is not None:
        if not hand_on:
            return next_stage
        outbox_put(
            key=f"stage:{dossier.pk}:{next_stage}",
            topic="stage_open",
            payload={"dossier_id": dossier.pk, "stage": next_stage},
            dossier=dossier,
        )
    else:
        if dossier.settled_at is None:
            _settle(dossier, status=Dossier.Status.RETURNED, at=at)
        else:
            dossier.status = Dossier.Status.RETURNED
            dossier.save(update_fields=["status"])
    return None


def _settle(dossier: Dossier, *, status: str, at: datetime.datetime) -> None:
    dossier.status = status
    newly_settled = dossier.settled_at is None
    if newly_settled:
        dossier.settled_at = at
        dossier.on_time = dossier.due_at is None or at <= dossier.due_at
    dossier.save(update_fields=["status", "settled_at", "on_time"])
    if newly_settled:  # the supervisor's daily figures count each dossier once, as it settles
        events.dossier_settled.send(sender=Dossier, dossier=dossier)

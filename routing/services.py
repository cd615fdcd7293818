"""Routing dossiers between agencies: process data, hand-offs through the outbox, officers' actions.

Every function that changes state is one transaction. Hand-offs between stages are never made
directly: the state change and its `OutboxMessage` are written together and a routing worker
delivers the message after commit, so a crash between the two cannot lose or invent a hand-off.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from calendars import clock
from divisions.models import Ward
from notifications.services import notify
from outbox.services import wake as outbox_wake
from procedures.models import Attachment, Channel, Dossier, Procedure
from uploads.storage import dossier_folder, stored_name

from . import events
from .models import (
    OPEN_STATES,
    DossierStep,
    OutboxMessage,
    Process,
    RoutingRule,
    StepAttachment,
    StepDefinition,
    StepState,
    Transition,
)

logger = logging.getLogger(__name__)

PROCESSES_FILE = Path(__file__).resolve().parent / "data" / "processes.yaml"
STOPPED = Dossier.Status.STOPPED


class RoutingError(Exception):
    """An action refused, with a message for the officer: what they sent is incomplete, or the
    step's or dossier's state does not allow it (`NotNow`)."""


class NotNow(RoutingError):
    """The input is fine but the step or dossier is no longer (or not yet) where the action applies:
    typically a colleague acted first. The API answers 409 Conflict."""


class NoRoute(Exception):
    pass


# --- Process data ---------------------------------------------------------------------------


def _expand_step(raw: dict, templates: dict) -> dict:
    step = dict(templates[raw["use"]]) if "use" in raw else {}
    step.update({k: v for k, v in raw.items() if k != "use"})
    return step


def _checks_of(step: dict, code: str) -> list[str]:
    checks = step.get("checks", [])
    if not isinstance(checks, list) or any(c not in CHECK_PARAMS for c in checks):
        raise ValueError(f"{code} {step['key']}: checks must be a list of {sorted(CHECK_PARAMS)}: {checks}")
    return checks


@transaction.atomic
def routing_load(*, path: Path = PROCESSES_FILE) -> list[Process]:
    """Load processes and routing rules from the data file. Idempotent."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    templates = data.get("templates", {})
    loaded = []
    for code, item in data["processes"].items():
        procedure = Procedure.objects.get(code=code)
        process, _created = Process.objects.update_or_create(
            procedure=procedure, defaults={"description": item.get("description", "")}
        )
        keys = []
        total = 0
        for stage, steps in enumerate(item["stages"], start=1):
            for raw in steps:
                step = _expand_step(raw, templates)
                Agency.Kind(step["agency_kind"])
                StepDefinition.Kind(step["kind"])
                StepDefinition.objects.update_or_create(
                    process=process,
                    key=step["key"],
                    defaults={
                        "name": step["name"],
                        "kind": step["kind"],
                        "stage": stage,
                        "agency_kind": step["agency_kind"],
                        "share": step["share"],
                        "outcomes": step.get("outcomes", []),
                        "checks": _checks_of(step, code),
                    },
                )
                keys.append(step["key"])
                total += step["share"]
        if total > 100:
            raise ValueError(f"{code}: step shares add up to {total} %, more than the time limit")
        # Steps dropped from the file go, unless a dossier already passed through them.
        used = DossierStep.objects.filter(definition__process=process).values("definition")
        process.steps.exclude(key__in=keys).exclude(pk__in=used).delete()
        loaded.append(process)
    rules = data.get("rules", [])
    for position, rule in enumerate(rules, start=1):
        RoutingRule.objects.update_or_create(
            position=position,
            defaults={
                "procedure_codes": rule.get("procedures", []),
                "step_keys": rule.get("steps", []),
                "agency_kinds": rule.get("agency_kinds", []),
                "ward": Ward.objects.get(name=rule["ward"]) if rule.get("ward") else None,
                "target": RoutingRule.Target(rule["target"]),
                "agency": Agency.objects.get(code=rule["agency"]) if rule.get("agency") else None,
                "note": rule.get("note", ""),
            },
        )
    RoutingRule.objects.filter(position__gt=len(rules)).delete()
    return loaded


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


# --- The outbox -----------------------------------------------------------------------------


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


def handoffs_due():
    """Hand-offs waiting to be delivered now: pending, and not waiting for a retry."""
    return OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now())
    )


def handoffs_deliver(*, limit: int = 50) -> int:
    """Deliver up to `limit` due hand-offs, oldest first, each in its own short transaction.

    Each is claimed with SKIP LOCKED, so any number of workers deliver side by side without waiting
    on each other, and a worker killed mid-way only rolls its one hand-off back for the next run.
    Returns how many were tried (a failure counts: it waits for its retry, it is not tried again now).
    """
    tried = 0
    for _attempt in range(limit):
        with transaction.atomic():
            message = handoffs_due().order_by("created_at").select_for_update(skip_locked=True).first()
            if message is None:
                break
            _deliver(message)
        tried += 1
    return tried


def message_process(*, message_id: int) -> OutboxMessage:
    """Deliver one hand-off now (tests, and a supervisor's retry). The row lock and its state make a
    second delivery a no-op."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state == OutboxMessage.State.PENDING:
            _deliver(message)
    return message


def _deliver(message: OutboxMessage) -> None:
    """Run the hand-off's handler; its writes and the message's new state commit together. A failure
    rolls the handler's writes back and is counted (`message_failed`)."""
    try:
        with transaction.atomic():
            HANDLERS[message.topic](**message.payload)
    except Exception as error:  # noqa: BLE001 - every failure is counted, then retried or dead-lettered
        logger.warning("hand-off %s failed: %s: %s", message.key, type(error).__name__, error)
        _failed(message, error)
        return
    message.state = OutboxMessage.State.DONE
    message.processed_at = timezone.now()
    message.attempts += 1
    message.last_error = ""
    message.save(update_fields=["state", "processed_at", "attempts", "last_error"])


def message_failed(*, message_id: int, error: BaseException) -> OutboxMessage:
    """Count a failed attempt; after ROUTING_MAX_ATTEMPTS the message is a dead letter."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state == OutboxMessage.State.PENDING:
            _failed(message, error)
    return message


def _failed(message: OutboxMessage, error: BaseException) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= settings.ROUTING_MAX_ATTEMPTS:
        message.state = OutboxMessage.State.DEAD
        logger.error("outbox message %s is a dead letter: %s", message.key, message.last_error)
    else:
        message.retry_at = timezone.now() + datetime.timedelta(seconds=retry_delay(attempts=message.attempts))
    message.save(update_fields=["attempts", "last_error", "state", "retry_at"])


def retry_delay(*, attempts: int) -> int:
    """Exponential back-off in seconds: 2, 4, 8 … capped."""
    return min(settings.ROUTING_RETRY_BACKOFF_MAX, 2**attempts)


@transaction.atomic
def dead_letter_retry(*, message: OutboxMessage, actor) -> OutboxMessage:
    """A supervisor sends a dead letter round again, with a fresh count of attempts."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state != OutboxMessage.State.DEAD:
        raise RoutingError(_("Thông điệp này không nằm trong danh sách lỗi."))
    message.state = OutboxMessage.State.PENDING
    message.attempts = 0
    message.retry_at = None
    message.save(update_fields=["state", "attempts", "retry_at"])
    logger.info("dead letter %s retried by %s", message.key, actor)
    outbox_wake()
    return message


# --- The trail ------------------------------------------------------------------------------


def _actor_name(user) -> str:
    if user is None:
        return _("Hệ thống")
    return user.get_full_name() or user.get_username()


def _record(*, dossier, to_state, key=None, step=None, actor=None, at=None, **fields) -> Transition:
    # A plain insert: every key is written once, under the dossier's row lock (or is a fresh
    # uuid); were a hand-off ever applied twice, the unique key would roll the second one back.
    return Transition.objects.create(
        key=key or f"action:{uuid.uuid4().hex}",
        dossier=dossier,
        step=step,
        at=at or timezone.now(),
        actor=actor,
        actor_name=_actor_name(actor),
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


# --- Officers' actions ----------------------------------------------------------------------


def _locked_step(step: DossierStep) -> DossierStep:
    # Dossier first, then step: the same order as the consumer, so the two never deadlock.
    Dossier.objects.select_for_update().get(pk=step.dossier_id)
    return (
        DossierStep.objects.select_for_update()
        .select_related("dossier__procedure", "dossier__centre__ward", "definition", "agency")
        .get(pk=step.pk)
    )


def _require(step: DossierStep, *states: str) -> None:
    if step.state not in states:
        raise NotNow(
            _("Bước này đang ở trạng thái “%(state)s”, không thực hiện được thao tác này.")
            % {"state": step.get_state_display()}
        )


@transaction.atomic
def step_accept(*, step: DossierStep, officer) -> DossierStep:
    step = _locked_step(step)
    _require(step, StepState.WAITING)
    step.state = StepState.ACCEPTED
    step.officer = officer
    step.save(update_fields=["state", "officer"])
    _record(
        dossier=step.dossier,
        step=step,
        actor=officer,
        from_state=StepState.WAITING,
        to_state=StepState.ACCEPTED,
        to_unit=step.agency.name,
        note=step.definition.name,
    )
    return step


@transaction.atomic
def step_complete(
    *,
    step: DossierStep,
    officer,
    outcome: str,
    note: str = "",
    files: list | None = None,
    hand_back: bool = True,
) -> DossierStep:
    """Finish a step with an outcome (and attachments); when its stage is complete the dossier moves on.

    Finishing the "return the result" step is handing the result back, whichever page or API it
    comes from: that is `procedures.services.dossier_hand_back` (the hand-back record, the
    citizen's timeline, the supervisor's figures), which has this step closed (`return_step_close`,
    with `hand_back=False`).
    """
    step = _locked_step(step)
    _require(step, StepState.WAITING, StepState.ACCEPTED)
    allowed = [item["key"] for item in step.definition.outcomes]
    if allowed and outcome not in allowed:
        raise RoutingError(_("Hãy chọn một kết quả xử lý trong danh sách."))
    if hand_back and step.definition.kind == StepDefinition.Kind.RETURN:
        from procedures.services import HandBackError, dossier_hand_back

        try:
            dossier_hand_back(dossier=step.dossier, by=officer)
        except HandBackError as error:
            raise NotNow(error.message) from error
        step.refresh_from_db()
        return step
    storage = StepAttachment._meta.get_field("file").storage
    folder = dossier_folder(step.dossier.draft_ref or f"d{step.dossier_id}")
    for upload in files or []:
        StepAttachment.objects.create(
            step=step,
            file=storage.save(stored_name(folder=folder, upload=upload), upload),
            name=upload.name[:255],
            content_type=getattr(upload, "content_type", "") or "",
            uploaded_by=officer,
        )
    step.officer = step.officer or officer
    _finish(step, actor=officer, outcome=outcome, at=timezone.now(), note=note)
    return step


def return_step_close(*, dossier: Dossier, by) -> None:
    """When the result is handed back at the counter (procedures.events.dossier_handing_back,
    routing/receivers.py): close the open "return the result" step at the reception unit, when the
    process has one, so the trail records the last hand-over and the dossier is marked returned."""
    step = (
        DossierStep.objects.filter(
            dossier=dossier,
            state__in=[StepState.WAITING, StepState.ACCEPTED],
            definition__kind=StepDefinition.Kind.RETURN,
        )
        .select_related("definition")
        .first()
    )
    if step is None:
        return
    outcomes = [item["key"] for item in step.definition.outcomes]
    step_complete(step=step, officer=by, outcome=outcomes[0] if outcomes else "", hand_back=False)


def _document_context(dossier: Dossier, officer) -> dict:
    return {
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "applicant_address": "",
        "procedure_name": dossier.procedure.name,
        "received_at": dossier.received_at.isoformat(),
        "due_at": (dossier.due_at or dossier.received_at).isoformat(),
        "officer_name": _actor_name(officer) if officer else "",
    }


def _form_request(*, dossier: Dossier, kind: str, key: str, context: dict):
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


def _clean_lines(lines) -> list[str]:
    return [line.strip() for line in lines if line and line.strip()]


@transaction.atomic
def supplement_request(*, step: DossierStep, officer, missing: list[str], reason: str = "") -> DossierStep:
    """Form 02: one request listing everything missing. The clock stops until the citizen answers."""
    from documents.models import Document

    missing = _clean_lines(missing)
    if not missing:
        raise RoutingError(_("Hãy ghi rõ từng giấy tờ còn thiếu, mỗi dòng một giấy tờ."))
    step = _locked_step(step)
    _require(step, StepState.WAITING, StepState.ACCEPTED)
    dossier = step.dossier
    if dossier.steps.filter(state=StepState.SUPPLEMENT).exists():
        raise NotNow(_("Hồ sơ đang chờ công dân bổ sung theo một yêu cầu khác."))
    now = timezone.now()
    from_state = step.state
    step.state = StepState.SUPPLEMENT
    step.paused_at = now
    step.missing = missing
    step.officer = step.officer or officer
    step.save(update_fields=["state", "paused_at", "missing", "officer"])
    dossier.status = Dossier.Status.SUPPLEMENT
    dossier.save(update_fields=["status"])
    transition = _record(
        dossier=dossier,
        step=step,
        actor=officer,
        at=now,
        from_state=from_state,
        to_state=StepState.SUPPLEMENT,
        from_unit=step.agency.name,
        to_unit=_("Công dân"),
        note="; ".join(missing) + (f" — {reason}" if reason else ""),
    )
    context = _document_context(dossier, officer) | {
        "missing": missing,
        "reason": reason,
        "answer_within_days": settings.ROUTING_SUPPLEMENT_ANSWER_DAYS,
        "contact_phone": dossier.centre.phone,
    }
    _form_request(
        dossier=dossier,
        kind=Document.Kind.SUPPLEMENT_REQUEST,
        key=f"{Document.Kind.SUPPLEMENT_REQUEST}:{dossier.code}:{transition.pk}",
        context=context,
    )
    notify(
        key=f"supplement_requested:{dossier.code}:{transition.pk}",
        kind="supplement_requested",
        citizen_id=dossier.applicant_citizen_id,
        dossier=dossier,
        context={"dossier_code": dossier.code, "missing": missing, "reason": reason},
    )
    return step


@transaction.atomic
def supplement_answer(*, dossier: Dossier, user, note: str = "", files: list | None = None) -> DossierStep:
    """The citizen answers: the clock resumes, and the step's and dossier's deadlines move later by
    exactly the working time it was stopped."""
    Dossier.objects.select_for_update().get(pk=dossier.pk)
    step = (
        DossierStep.objects.select_for_update()
        .select_related("dossier", "agency", "definition")
        .filter(dossier=dossier, state=StepState.SUPPLEMENT)
        .first()
    )
    if step is None:
        raise NotNow(_("Hồ sơ không có yêu cầu bổ sung nào đang chờ."))
    if not files and not note.strip():
        raise RoutingError(_("Hãy gửi kèm giấy tờ bổ sung hoặc ghi nội dung trả lời."))
    dossier = step.dossier
    now = timezone.now()
    paused = clock.working_time_between(step.paused_at, now)
    step.due_at = clock.add_working_time(step.due_at, paused)
    dossier.due_at = clock.add_working_time(dossier.due_at, paused)
    dossier.due_date = timezone.localtime(dossier.due_at).date()
    dossier.status = Dossier.Status.PROCESSING
    dossier.save(update_fields=["due_at", "due_date", "status"])
    step.state = StepState.ACCEPTED if step.officer_id else StepState.WAITING
    step.paused_at = None
    step.save(update_fields=["state", "paused_at", "due_at"])
    storage = Attachment._meta.get_field("file").storage
    folder = dossier_folder(dossier.draft_ref or f"d{dossier.pk}")
    for upload in files or []:
        Attachment.objects.create(
            dossier=dossier,
            component="bo-sung",
            # A random name in the dossier's folder; hers is kept only as the name shown.
            file=storage.save(stored_name(folder=folder, upload=upload), upload),
            name=upload.name[:255],
            content_type=getattr(upload, "content_type", "") or "",
            size=upload.size,
        )
    hours = paused.total_seconds() / 3600
    _record(
        dossier=dossier,
        step=step,
        actor=user,
        at=now,
        from_state=StepState.SUPPLEMENT,
        to_state=step.state,
        from_unit=_("Công dân"),
        to_unit=step.agency.name,
        note=(note.strip() + " — " if note.strip() else "")
        + _("Thời hạn lùi %(hours).1f giờ làm việc") % {"hours": hours},
    )
    return step


@transaction.atomic
def step_return(*, step: DossierStep, officer, note: str) -> DossierStep:
    """Send the dossier back to the reception unit to correct (the clock keeps running)."""
    if not note.strip():
        raise RoutingError(_("Hãy ghi rõ nội dung cần hoàn thiện."))
    step = _locked_step(step)
    _require(step, StepState.WAITING, StepState.ACCEPTED)
    from_state = step.state
    step.state = StepState.RETURNED
    step.note = note.strip()
    step.save(update_fields=["state", "note"])
    _record(
        dossier=step.dossier,
        step=step,
        actor=officer,
        from_state=from_state,
        to_state=StepState.RETURNED,
        from_unit=step.agency.name,
        to_unit=step.dossier.centre.name,
        note=note.strip(),
    )
    return step


@transaction.atomic
def step_resubmit(*, step: DossierStep, actor, note: str = "") -> DossierStep:
    """The reception unit sends a corrected dossier back to the step that returned it."""
    step = _locked_step(step)
    _require(step, StepState.RETURNED)
    step.state = StepState.ACCEPTED if step.officer_id else StepState.WAITING
    step.save(update_fields=["state"])
    _record(
        dossier=step.dossier,
        step=step,
        actor=actor,
        from_state=StepState.RETURNED,
        to_state=step.state,
        from_unit=step.dossier.centre.name,
        to_unit=step.agency.name,
        note=note.strip() or _("Đã hoàn thiện hồ sơ"),
    )
    return step


def _close_open_steps(dossier: Dossier, *, actor, note: str, at) -> None:
    for other in (
        dossier.steps.select_for_update(of=("self",)).filter(state__in=OPEN_STATES).select_related("agency")
    ):
        _record(
            dossier=dossier,
            step=other,
            actor=actor,
            at=at,
            from_state=other.state,
            to_state=StepState.REFUSED,
            from_unit=other.agency.name,
            note=note,
        )
        other.state = StepState.REFUSED
        other.finished_at = at
        other.paused_at = None
        other.save(update_fields=["state", "finished_at", "paused_at"])


@transaction.atomic
def step_refuse(*, step: DossierStep, officer, reasons: list[str]) -> DossierStep:
    """Form 03: the dossier is refused with its reasons; it is settled at that moment."""
    from documents.models import Document

    reasons = _clean_lines(reasons)
    if not reasons:
        raise RoutingError(_("Hãy ghi rõ lý do từ chối."))
    step = _locked_step(step)
    _require(step, StepState.WAITING, StepState.ACCEPTED, StepState.RETURNED)
    dossier = step.dossier
    now = timezone.now()
    step.officer = step.officer or officer
    step.outcome = "tu-choi"
    step.save(update_fields=["officer", "outcome"])
    _close_open_steps(dossier, actor=officer, note="; ".join(reasons), at=now)
    _settle(dossier, status=Dossier.Status.REFUSED, at=now)
    _form_request(
        dossier=dossier,
        kind=Document.Kind.REFUSAL,
        key=f"{Document.Kind.REFUSAL}:{dossier.code}",
        context=_document_context(dossier, officer) | {"reasons": reasons},
    )
    notify(
        key=f"dossier_refused:{dossier.code}",
        kind="dossier_refused",
        citizen_id=dossier.applicant_citizen_id,
        dossier=dossier,
        context={"dossier_code": dossier.code, "reasons": reasons},
    )
    step.refresh_from_db()
    return step


@transaction.atomic
def dossier_stop(*, dossier: Dossier, actor, reasons: list[str]) -> Dossier:
    """Form 05: processing stops (no answer to a supplement request in time, or withdrawn)."""
    from documents.models import Document

    reasons = _clean_lines(reasons)
    if not reasons:
        raise RoutingError(_("Hãy ghi rõ lý do dừng giải quyết."))
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "centre__ward")
        .get(pk=dossier.pk)
    )
    if dossier.settled_at is not None:
        raise NotNow(_("Hồ sơ đã được giải quyết xong."))
    now = timezone.now()
    _close_open_steps(dossier, actor=actor, note="; ".join(reasons), at=now)
    _settle(dossier, status=STOPPED, at=now)
    _record(
        dossier=dossier,
        key=f"stopped:{dossier.pk}",
        actor=actor,
        at=now,
        to_state=STOPPED,
        note="; ".join(reasons),
    )
    _form_request(
        dossier=dossier,
        kind=Document.Kind.STOP_NOTICE,
        key=f"{Document.Kind.STOP_NOTICE}:{dossier.code}",
        context=_document_context(dossier, actor)
        | {
            "stopped_at": timezone.localdate(now).isoformat(),
            "reasons": reasons,
            "return_place": dossier.centre.name,
            "signer_name": _actor_name(actor),
        },
    )
    notify(
        key=f"dossier_stopped:{dossier.code}",
        kind="dossier_stopped",
        citizen_id=dossier.applicant_citizen_id,
        dossier=dossier,
        context={"dossier_code": dossier.code, "reasons": reasons},
    )
    return dossier


def supplements_expire(*, now: datetime.datetime | None = None) -> list[Dossier]:
    """Stop dossiers whose supplement request went unanswered for the set number of working days."""
    now = now or timezone.now()
    limit = clock.WORKING_DAY * settings.ROUTING_SUPPLEMENT_ANSWER_DAYS
    stopped = []
    for step in DossierStep.objects.filter(state=StepState.SUPPLEMENT).select_related("dossier"):
        if clock.add_working_time(step.paused_at, limit) <= now:
            try:
                stopped.append(
                    dossier_stop(
                        dossier=step.dossier,
                        actor=None,
                        reasons=[_("Quá thời hạn bổ sung hồ sơ mà công dân chưa bổ sung.")],
                    )
                )
            except RoutingError:
                continue
    return stopped


# --- Form 06 --------------------------------------------------------------------------------


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
    return _form_request(
        dossier=dossier,
        kind=Document.Kind.PROCESS_CONTROL,
        key=f"{Document.Kind.PROCESS_CONTROL}:{dossier.code}",
        context=_document_context(dossier, None)
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

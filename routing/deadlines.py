"""The deadline watch: open dossiers move between on track, due soon and overdue on the clock.

Run by the beat job `routing.deadlines_refresh` (every few minutes). For each open dossier whose
stored `deadline_state` no longer matches the clock:

- **due soon** (less than DEADLINE_DUE_SOON_WORKING_HOURS of working time left, still before the
  deadline): the responsible officers of its open steps and the centre's supervisors get a
  `deadline_alert` — before the deadline, never after (a dossier found already overdue skips
  straight to the apology);
- **overdue**: the citizen gets the apology letter (form 04) with a new return date and a
  `dossier_late` notification. The legal deadline (`due_at`) does not move: the dossier stays
  late in the on-time rate; the new date lives in the letter, the notification and the trail.

Steps have no stored state: a step entering its own due-soon window alerts its officers
(`deadline_alert` with the step). Every notification and document is keyed, so each goes once
per dossier (or step) and state, however often the job runs or a worker retries it. A dossier
waiting on the citizen (its clock paused) is left alone; its deadline moves when they answer.
Stopping a dossier whose supplement request went unanswered is `routing.actions.supplements_expire`.

States are found by range, not dossier by dossier: with `edge` = now + the due-soon working
time, a deadline before now is overdue, before `edge` due soon, else on track (the clock's
`deadline_state` says the same: working time only grows with the instant).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from calendars import clock
from calendars.clock import DeadlineState
from notifications.services import notify
from procedures.models import Dossier

from . import one_stop_forms, services
from .models import OPEN_STATES, DossierStep, StepState

logger = logging.getLogger(__name__)

# Open steps whose clock runs (a step waiting on the citizen is paused).
RUNNING = [s for s in OPEN_STATES if s != StepState.SUPPLEMENT]


@dataclass
class Refresh:
    """What one run did (for logs, the task's result and tests)."""

    due_soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    on_track: list[str] = field(default_factory=list)
    step_alerts: list[int] = field(default_factory=list)


def soon() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DEADLINE_DUE_SOON_WORKING_HOURS)


def _open_dossiers():
    # Settled dossiers keep the state they had; paused ones wait for the citizen's answer.
    return Dossier.objects.filter(settled_at__isnull=True, due_at__isnull=False).exclude(
        status=Dossier.Status.SUPPLEMENT
    )


def state_at(due_at: datetime.datetime, *, now: datetime.datetime, edge: datetime.datetime) -> str:
    if due_at < now:
        return DeadlineState.OVERDUE
    if due_at < edge:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def deadlines_refresh(*, now: datetime.datetime | None = None, limit: int = 1000) -> Refresh:
    """Bring every open dossier's deadline_state up to the clock, alerting and apologising once."""
    now = now or timezone.now()
    edge = clock.add_working_time(now, soon())
    done = Refresh()
    ranges = {
        DeadlineState.OVERDUE: Q(due_at__lt=now),
        DeadlineState.DUE_SOON: Q(due_at__gte=now, due_at__lt=edge),
        DeadlineState.ON_TRACK: Q(due_at__gte=edge),
    }
    for state, in_range in ranges.items():
        stale = _open_dossiers().filter(in_range).exclude(deadline_state=state).order_by("due_at")
        for pk in stale.values_list("pk", flat=True)[:limit]:
            dossier = dossier_deadline_update(dossier_id=pk, now=now, edge=edge)
            if dossier is not None:
                getattr(done, dossier.deadline_state).append(dossier.code)
    done.step_alerts = steps_alert(now=now, edge=edge, limit=limit)
    if done.due_soon or done.overdue:
        logger.info("deadlines: %d due soon, %d overdue", len(done.due_soon), len(done.overdue))
    return done


@transaction.atomic
def dossier_deadline_update(
    *, dossier_id: int, now: datetime.datetime, edge: datetime.datetime | None = None
) -> Dossier | None:
    """Move one dossier to the state the clock gives it, with the alert or apology that goes with it.

    Under the dossier's row lock, so two beat runs (or a run and an officer's action) never both
    move it; None if it changed meanwhile so that there is nothing to do.
    """
    edge = edge or clock.add_working_time(now, soon())
    dossier = (
        _open_dossiers()
        .select_for_update(of=("self",))
        .select_related("procedure", "centre__ward")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return None
    state = state_at(dossier.due_at, now=now, edge=edge)
    if state == dossier.deadline_state:
        return None
    dossier.deadline_state = state
    dossier.save(update_fields=["deadline_state"])
    if state == DeadlineState.DUE_SOON:
        _alert_due_soon(dossier, now=now)
    elif state == DeadlineState.OVERDUE:
        apology_send(dossier=dossier, now=now)
    return dossier


# --- Who is responsible ------------------------------------------------------------------------


def officers_of(step: DossierStep) -> list:
    """The officer who took the step; before anyone has, everyone who works that agency's inbox
    (a centre's reception unit is worked by the centre's counter staff)."""
    if step.officer_id:
        return [step.officer]
    from accounts.models import User

    scope = Q(memberships__role=Membership.Role.AGENCY_OFFICER, memberships__agency=step.agency_id)
    if step.agency.kind == Agency.Kind.ONE_STOP and step.agency.ward_id:
        scope |= Q(
            memberships__role=Membership.Role.COUNTER_STAFF, memberships__centre__ward=step.agency.ward_id
        )
    return list(User.objects.filter(scope, is_active=True).distinct().order_by("pk"))


def supervisors_of(dossier: Dossier) -> list:
    """The centre's supervisors: those named for the centre and those of its whole province."""
    from accounts.models import User

    province = dossier.centre.ward.province_id
    scope = Q(memberships__centre=dossier.centre_id) | Q(memberships__province=province)
    return list(
        User.objects.filter(scope, memberships__role=Membership.Role.SUPERVISOR, is_active=True)
        .distinct()
        .order_by("pk")
    )


def _running_steps(dossier: Dossier) -> list[DossierStep]:
    return list(
        DossierStep.objects.filter(dossier=dossier, state__in=RUNNING)
        .select_related("agency", "definition", "officer")
        .order_by("stage", "pk")
    )


# --- Due soon ------------------------------------------------------------------------------------


def _alert_due_soon(dossier: Dossier, *, now: datetime.datetime) -> None:
    steps = _running_steps(dossier)
    remaining = clock.remaining_label(dossier.due_at, now=now)
    people = {}
    for step in steps:
        for user in officers_of(step):
            people.setdefault(user.pk, (user, step))
    for user in supervisors_of(dossier):
        people.setdefault(user.pk, (user, None))
    for user, step in people.values():
        notify(
            key=f"deadline_alert:{dossier.code}:{DeadlineState.DUE_SOON}:{user.pk}",
            kind="deadline_alert",
            user=user,
            dossier=dossier,
            context={"step": _step_label(step) if step else "", "remaining": remaining},
        )


def _step_label(step: DossierStep) -> str:
    return f"{step.definition.name} — {step.agency.name}"


def steps_alert(*, now: datetime.datetime, edge: datetime.datetime, limit: int = 1000) -> list[int]:
    """Alert the officers of steps that entered their own due-soon window (once per step)."""
    from notifications.models import Notification

    alerted = []
    steps = (
        DossierStep.objects.filter(
            state__in=RUNNING, due_at__gte=now, due_at__lt=edge, dossier__settled_at__isnull=True
        )
        .select_related("dossier__procedure", "agency", "definition", "officer")
        .order_by("due_at")[:limit]
    )
    for step in steps:
        prefix = f"deadline_alert:step:{step.pk}:"
        people = officers_of(step)
        # Every alert writes an in-app row: all of them there means this step was alerted (an
        # exact-key lookup on the unique index, so a step waiting in the window costs little).
        in_app = [f"{prefix}{user.pk}:{Notification.Channel.IN_APP}" for user in people]
        if not people or Notification.objects.filter(key__in=in_app).count() == len(in_app):
            continue
        remaining = clock.remaining_label(step.due_at, now=now)
        with transaction.atomic():
            for user in people:
                notify(
                    key=f"{prefix}{user.pk}",
                    kind="deadline_alert",
                    user=user,
                    dossier=step.dossier,
                    context={"step": _step_label(step), "remaining": remaining},
                )
        alerted.append(step.pk)
    return alerted


# --- Overdue: the apology (form 04) --------------------------------------------------------------


def new_return_at(*, now: datetime.datetime) -> datetime.datetime:
    """The date promised in the apology: DEADLINE_APOLOGY_EXTRA_WORKING_DAYS working days on, at the
    close of that day."""
    day = clock.add_working_time(now, clock.WORKING_DAY * settings.DEADLINE_APOLOGY_EXTRA_WORKING_DAYS)
    return clock.day_close(day.date())


def _late_reason(dossier: Dossier) -> str:
    units = sorted({step.agency.name for step in _running_steps(dossier)})
    if not units:
        return _("Hồ sơ chưa được giải quyết xong trong thời hạn.")
    return _("Hồ sơ đang được %(units)s xử lý, chưa xong trong thời hạn.") % {"units": ", ".join(units)}


def apology_send(*, dossier: Dossier, now: datetime.datetime | None = None):
    """Form 04 to the citizen with a new return date, its notification and a trail line. Once.

    Call inside a transaction holding the dossier's row lock (as `dossier_deadline_update` does).
    """
    from documents.models import Document

    now = now or timezone.now()
    key = f"apology:{dossier.pk}"
    from .models import Transition

    if Transition.objects.filter(key=key).exists():
        return None
    new_due = new_return_at(now=now)
    reason = _late_reason(dossier)
    services._record(
        dossier=dossier,
        key=key,
        at=now,
        from_state=dossier.status,
        to_state=dossier.status,
        note=_("Quá hạn giải quyết: gửi thư xin lỗi (mẫu 04), hẹn trả kết quả ngày %(date)s.")
        % {"date": timezone.localtime(new_due).strftime("%d/%m/%Y")},
    )
    document = one_stop_forms.form_request(
        dossier=dossier,
        kind=Document.Kind.APOLOGY,
        key=f"{Document.Kind.APOLOGY}:{dossier.code}",
        context=one_stop_forms.document_context(dossier, None)
        | {
            "reason": reason,
            "new_due_at": new_due.isoformat(),
            "signer_name": one_stop_forms.actor_name(None),
        },
    )
    notify(
        key=f"dossier_late:{dossier.code}",
        kind="dossier_late",
        citizen_id=dossier.applicant_citizen_id,
        dossier=dossier,
        context={"new_due_date": timezone.localtime(new_due).date(), "reason": reason},
    )
    return document

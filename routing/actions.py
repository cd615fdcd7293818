"""Officers' actions on a step (accept, complete, ask for a supplement, return, refuse, stop) and the
citizen's supplement answer; each one transaction, on the locked step."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calendars import clock
from notifications.services import notify
from procedures.models import Attachment, Dossier
from uploads.storage import dossier_folder, stored_name

from .models import (
    OPEN_STATES,
    DossierStep,
    StepAttachment,
    StepDefinition,
    StepState,
)
from .one_stop_forms import actor_name, document_context, form_request
from .services import STOPPED, NotNow, RoutingError, _finish, _record, _settle

logger = logging.getLogger(__name__)

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
    context = document_context(dossier, officer) | {
        "missing": missing,
        "reason": reason,
        "answer_within_days": settings.ROUTING_SUPPLEMENT_ANSWER_DAYS,
        "contact_phone": dossier.centre.phone,
    }
    form_request(
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
    form_request(
        dossier=dossier,
        kind=Document.Kind.REFUSAL,
        key=f"{Document.Kind.REFUSAL}:{dossier.code}",
        context=document_context(dossier, officer) | {"reasons": reasons},
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
    form_request(
        dossier=dossier,
        kind=Document.Kind.STOP_NOTICE,
        key=f"{Document.Kind.STOP_NOTICE}:{dossier.code}",
        context=document_context(dossier, actor)
        | {
            "stopped_at": timezone.localdate(now).isoformat(),
            "reasons": reasons,
            "return_place": dossier.centre.name,
            "signer_name": actor_name(actor),
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

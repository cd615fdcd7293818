"""Agency inboxes, the officer's actions on a step, the citizen's supplement answer, dead letters.

Thin: check who may act, call a service, render. Rules live in services.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procedures.attachments import attachment_response
from procedures.selectors import dossiers_visible_to

from . import actions, handoffs, selectors, services
from .forms import StepCompleteForm, SupplementAnswerForm
from .models import DossierStep, OutboxMessage, StepAttachment, StepState

_remaining = selectors.remaining_of


def _with_remaining(steps):
    for step in steps:
        step.remaining = _remaining(step)
    return steps


def _with_check_warnings(steps):
    """Mark steps whose connector check failed or answered no: a one-line warning on the inbox row."""
    from connectors.models import ConnectorCall

    keys = {f"check:{step.pk}:{check}": step for step in steps for check in step.definition.checks}
    for call in ConnectorCall.objects.filter(key__in=keys, status__in=["ok", "failed"]):
        if call.status == ConnectorCall.Status.FAILED or call.passed is False:
            keys[call.key].check_warning = True
    return steps


@login_required
def inbox(request):
    agencies = list(selectors.agencies_of(request.user))
    if not agencies:
        raise PermissionDenied
    chosen = request.GET.get("co-quan", "")
    shown = [a for a in agencies if a.code == chosen] or agencies
    steps = _with_check_warnings(_with_remaining(list(selectors.inbox_for(shown)[:200])))
    return render(
        request,
        "routing/_inbox_items.html" if request.htmx else "routing/inbox.html",
        {"agencies": agencies, "chosen": chosen, "steps": steps},
    )


def _step_or_404(request, step_id) -> DossierStep:
    step = selectors.step_for_user(request.user, step_id)
    if step is None:
        raise Http404
    return step


def _step_page(request, step: DossierStep, complete_form: StepCompleteForm | None = None):
    step.remaining = _remaining(step)
    dossier = step.dossier
    return render(
        request,
        "routing/step.html",
        {
            "step": step,
            "dossier": dossier,
            "outcomes": step.definition.outcomes,
            "complete_form": complete_form or StepCompleteForm(),
            "attachments": dossier.attachments.all(),
            "step_files": StepAttachment.objects.filter(step__dossier=dossier)
            .select_related("step__definition")
            .order_by("uploaded_at", "pk"),
            "steps": selectors.steps_of(dossier),
            "timeline": selectors.timeline_of(dossier),
            "is_reception": step.state == StepState.RETURNED,
        },
    )


@login_required
def step_detail(request, step_id):
    return _step_page(request, _step_or_404(request, step_id))


@login_required
def step_file(request, step_id, file_id):
    """A file an officer attached to any step of this dossier, for whoever may open this step; it
    downloads under the name it was uploaded with, from its random stored name."""
    step = _step_or_404(request, step_id)
    return attachment_response(get_object_or_404(StepAttachment, step__dossier=step.dossier_id, pk=file_id))


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@login_required
@require_POST
def step_action(request, step_id, action):
    step = _step_or_404(request, step_id)
    user, data = request.user, request.POST
    try:
        if action == "tiep-nhan":
            actions.step_accept(step=step, officer=user)
            messages.success(request, _("Đã nhận xử lý hồ sơ."))
        elif action == "hoan-thanh":
            form = StepCompleteForm(data, request.FILES)
            if not form.is_valid():
                # The page again, not a redirect: the refused file's message beside the input and
                # the officer's note and outcome as typed.
                return _step_page(request, step, form)
            actions.step_complete(
                step=step,
                officer=user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
            )
            messages.success(request, _("Đã hoàn thành bước xử lý; hồ sơ được chuyển tiếp."))
            return redirect("routing:inbox")
        elif action == "yeu-cau-bo-sung":
            actions.supplement_request(
                step=step, officer=user, missing=_lines(data.get("missing")), reason=data.get("reason", "")
            )
            messages.success(
                request, _("Đã gửi yêu cầu bổ sung; thời hạn tạm dừng đến khi công dân bổ sung.")
            )
        elif action == "tra-lai":
            actions.step_return(step=step, officer=user, note=data.get("note", ""))
            messages.success(request, _("Đã trả hồ sơ về Bộ phận một cửa để hoàn thiện."))
            return redirect("routing:inbox")
        elif action == "gui-lai":
            actions.step_resubmit(step=step, actor=user, note=data.get("note", ""))
            messages.success(request, _("Đã chuyển lại hồ sơ đã hoàn thiện."))
            return redirect("routing:inbox")
        elif action == "tu-choi":
            actions.step_refuse(step=step, officer=user, reasons=_lines(data.get("reasons")))
            messages.success(request, _("Đã từ chối hồ sơ và thông báo cho công dân."))
            return redirect("routing:inbox")
        else:
            raise Http404
    except services.RoutingError as error:
        messages.error(request, str(error))
    return redirect("routing:step", step_id=step.pk)


@login_required
def supplement_answer(request, code):
    dossier = dossiers_visible_to(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    step = dossier.steps.filter(state=StepState.SUPPLEMENT).select_related("agency").first()
    error = ""
    form = SupplementAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and step is not None and form.is_valid():
        try:
            actions.supplement_answer(
                dossier=dossier,
                user=request.user,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
            )
        except services.RoutingError as failure:
            error = str(failure)
        else:
            messages.success(request, _("Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính tiếp."))
            return redirect("procedures:dossier", code=dossier.code)
    return render(
        request,
        "routing/supplement_answer.html",
        {"dossier": dossier, "step": step, "error": error, "form": form},
    )


@login_required
def dead_letters(request):
    if not selectors.is_supervisor(request.user):
        raise PermissionDenied
    return render(request, "routing/dead_letters.html", {"letters": selectors.dead_letters(request.user)})


@login_required
@require_POST
def dead_letter_retry(request, pk):
    message = get_object_or_404(selectors.dead_letters(request.user), pk=pk)
    try:
        handoffs.dead_letter_retry(message=message, actor=request.user)
    except services.RoutingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã gửi lại thông điệp %(key)s.") % {"key": message.key})
    return redirect("routing:dead_letters")


@login_required
def drill_down(request, code):
    if not selectors.is_supervisor(request.user):
        raise PermissionDenied
    dossier = get_object_or_404(
        selectors.dossiers_supervised_by(request.user).select_related("procedure"), code=code
    )
    steps = _with_remaining(selectors.steps_of(dossier))
    return render(
        request,
        "routing/drill_down.html",
        {
            "dossier": dossier,
            "steps": steps,
            "timeline": selectors.timeline_of(dossier),
            "messages_": OutboxMessage.objects.filter(dossier=dossier).order_by("created_at"),
        },
    )

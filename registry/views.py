"""A citizen's correction requests to the registry's owner, and the police unit's list of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import CorrectionAnswerForm, CorrectionRequestForm


@login_required
def correction(request):
    """She says what is wrong in her record; her requests and their answers are listed below."""
    if not request.user.citizen_id:
        raise PermissionDenied
    profile = selectors.citizen_profile(request.user.citizen_id)
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and profile is not None and form.is_valid():
        try:
            services.correction_request_send(user=request.user, **form.cleaned_data)
        except services.CorrectionRefused as refused:
            form.add_error("fact", str(refused))
        else:
            messages.success(request, _("Đã gửi đề nghị đính chính đến cơ quan công an."))
            return redirect("registry:correction")
    return render(
        request,
        "registry/correction.html",
        {
            "form": form,
            "profile": profile,
            "corrections": selectors.correction_requests_of(request.user.citizen_id),
        },
    )


@login_required
def corrections_inbox(request):
    """The police unit's list: what each resident says is wrong, what the registry holds."""
    if not selectors.police_agencies_of(request.user).exists():
        raise PermissionDenied
    return render(
        request,
        "registry/corrections_inbox.html",
        {"corrections": selectors.correction_requests_for(request.user)[:200]},
    )


@login_required
@require_POST
def correction_answer(request, pk):
    found = selectors.correction_requests_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = CorrectionAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_answer(
                request=found, by=request.user, status=form.cleaned_data["status"]
            )
        except services.CorrectionRefused as answered:
            messages.error(request, str(answered))
    return redirect("registry:corrections_inbox")

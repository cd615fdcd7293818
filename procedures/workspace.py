"""The counter workspace (/mot-cua/ho-so/): today's queue, intake, search, results to hand back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Centre
from agencies.selectors import scope_of
from queueing.selectors import shift_of, waiting_by_service
from queueing.services import current_ticket

from . import selectors, services
from .models import HandBack


def _counter_centres(request) -> list[Centre]:
    centres = scope_of(request.user).counter_centres
    if not centres:
        raise PermissionDenied
    return list(Centre.objects.filter(pk__in=centres).order_by("name"))


@login_required
def workspace(request):
    centres = _counter_centres(request)
    shift = shift_of(request.user)
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        results = list(selectors.dossier_search(selectors.dossiers_at_counter_of(request.user), query)[:20])
    just_returned = request.GET.get("da_tra", "")
    return render(
        request,
        "procedures/workspace.html",
        {
            "centres": centres,
            "shift": shift,
            "current": current_ticket(shift.counter) if shift else None,
            "waiting": waiting_by_service(shift.counter.centre if shift else centres[0]),
            "query": query,
            "results": results,
            "ready": list(selectors.dossiers_ready_to_return(request.user)[:50]),
            "just_returned": selectors.dossiers_at_counter_of(request.user).filter(code=just_returned).first()
            if just_returned
            else None,
            "just_rated": request.GET.get("da_danh_gia", ""),
            "methods": HandBack.Method.choices,
        },
    )


@login_required
@require_POST
def hand_back(request, code):
    _counter_centres(request)
    dossier = selectors.dossiers_at_counter_of(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    method = request.POST.get("method", HandBack.Method.PAPER)
    if method not in HandBack.Method.values:
        method = HandBack.Method.PAPER
    shift = shift_of(request.user)
    try:
        services.dossier_hand_back(
            dossier=dossier,
            by=request.user,
            method=method,
            receiver_name=request.POST.get("receiver_name", ""),
            counter=shift.counter if shift and shift.counter.centre_id == dossier.centre_id else None,
        )
    except services.HandBackError as error:
        messages.error(request, error.message)
        return redirect("procedures:workspace")
    messages.success(request, _("Đã trả kết quả hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect(f"{reverse('procedures:workspace')}?da_tra={dossier.code}")

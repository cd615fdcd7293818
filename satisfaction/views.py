"""Rating pages: by the citizen on the web, by a signed link from a notification, on the counter's tablet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from procedures.selectors import dossiers_at_counter_of, dossiers_of_citizen

from .criteria import criteria, max_points, scale
from .models import Rating
from .selectors import rating_of
from .services import RatingError, dossier_from_token, rating_submit


def _rate(request, dossier, *, channel: str, done_url: str = ""):
    existing = rating_of(dossier)
    error, answers = "", {}
    if request.method == "POST" and existing is None:
        answers = {c.key: request.POST.get(c.key, "") for c in criteria()}
        try:
            existing = rating_submit(
                dossier=dossier, answers=answers, channel=channel, comment=request.POST.get("comment", "")
            )
        except RatingError as failure:
            error = failure.message
            existing = rating_of(dossier)
        else:
            if channel == Rating.Channel.TABLET and done_url:
                return redirect(f"{done_url}?da_danh_gia={dossier.code}")
    return render(
        request,
        "satisfaction/rate.html",
        {
            "dossier": dossier,
            "criteria": criteria(),
            "scale": scale(),
            "max_points": max_points(),
            "rating": existing,
            "error": error,
            "answers": answers,
            "comment": request.POST.get("comment", ""),
            "channel": channel,
        },
        status=400 if error else 200,
    )


def rate_by_link(request, token):
    """The signed link a notification carries: no sign-in needed, it names one dossier."""
    dossier = dossier_from_token(token)
    if dossier is None:
        raise Http404
    return _rate(request, dossier, channel=Rating.Channel.LINK)


@login_required
def rate_on_web(request, code):
    dossier = dossiers_of_citizen(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return _rate(request, dossier, channel=Rating.Channel.WEB)


@login_required
def rate_on_tablet(request, code):
    """The counter's tablet, handed to the citizen after the result is given back."""
    dossier = dossiers_at_counter_of(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    from django.urls import reverse

    return _rate(request, dossier, channel=Rating.Channel.TABLET, done_url=reverse("procedures:workspace"))

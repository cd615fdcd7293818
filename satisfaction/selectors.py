"""Reads of satisfaction ratings."""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count

from .models import Rating


def ratings_by_counter(centres, *, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """Mean score out of 18 and number of ratings per counter that handed the result back."""
    return list(
        Rating.objects.filter(centre__in=centres, created_at__gte=since, created_at__lt=until)
        .values("centre__name", "counter__number")
        .annotate(ratings=Count("pk"), mean=Avg("total"))
        .order_by("centre__name", "counter__number")
    )


def rating_of(dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()

"""Reads of satisfaction ratings."""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count

from .models import Rating


def ratings_by_counter(centres, *, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """Mean score out of 18 and number of ratings per counter that handed the result back."""
    from agencies.models import Centre
    from queueing.models import Counter

    rows = list(
        Rating.objects.filter(centre__in=centres, created_at__gte=since, created_at__lt=until)
        .values("centre_id", "counter_id")
        .annotate(ratings=Count("counter_id"), mean=Avg("total"))
        .order_by()
    )
    centre_names = dict(
        Centre.objects.filter(pk__in={r["centre_id"] for r in rows}).values_list("pk", "name")
    )
    numbers = dict(Counter.objects.filter(pk__in={r["counter_id"] for r in rows}).values_list("pk", "number"))
    result = [
        {
            "centre__name": centre_names.get(row["centre_id"], ""),
            "counter__number": numbers.get(row["counter_id"]),
            "ratings": row["ratings"],
            "mean": row["mean"],
        }
        for row in rows
        if row["counter_id"] is not None
    ]
    return sorted(result, key=lambda r: (r["centre__name"], r["counter__number"]))


def rating_of(dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()

"""Reads of the outbox's own table."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import Retry


def retries_waiting(*, source: str, now: datetime.datetime | None = None) -> QuerySet:
    """The ids of a source's items that failed and are not yet due again (for a subquery)."""
    return Retry.objects.filter(source=source, retry_at__gt=now or timezone.now()).values("item_id")

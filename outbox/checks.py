"""The outbox's lines on the status page: the oldest work still waiting, per source."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .registry import sources


def outbox_age() -> list[dict]:
    now = timezone.now()
    lines = []
    for source in sources():
        oldest = source.oldest_waiting()
        age = (now - oldest).total_seconds() if oldest else 0.0
        late = age > settings.OUTBOX_ALERT_SECONDS
        lines.append(
            {
                "name": f"outbox:{source.name}",
                "status": "late" if late else "ok",
                "oldest_seconds": round(age, 1),
                "action": (
                    "Work has waited longer than OUTBOX_ALERT_SECONDS: check that a relay "
                    "(manage.py outbox_relay) or the scheduler runs, and that Redis answers."
                    if late
                    else ""
                ),
            }
        )
    return lines

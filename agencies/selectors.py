from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Centre, Membership, OpeningSession


def opening_sessions_today(centre: Centre) -> list[OpeningSession]:
    today = timezone.localdate()
    return list(centre.opening_sessions.filter(weekday=today.weekday()))


def centres_supervised_by(user):
    """Centres a supervisor oversees: those named directly, and every centre of a supervised province."""
    scopes = Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR)
    return (
        Centre.objects.filter(
            Q(pk__in=scopes.values("centre")) | Q(ward__province__in=scopes.values("province"))
        )
        .select_related("ward__province")
        .annotate(
            counter_count=Count("counters", distinct=True),
            staff_count=Count(
                "members", filter=Q(members__role=Membership.Role.COUNTER_STAFF), distinct=True
            ),
        )
        .order_by("name")
    )

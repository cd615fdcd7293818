from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Agency, Centre, Membership, OpeningSession


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


def reception_of(centre: Centre) -> Agency | None:
    """The centre's own reception unit, which issues receipts and the one-stop forms."""
    return Agency.objects.filter(kind=Agency.Kind.ONE_STOP, ward=centre.ward_id).order_by("pk").first()

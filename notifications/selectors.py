"""Reads of notifications; the recipient filter lives here so no page forgets it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Notification


def _recipient_filter(user) -> Q:
    condition = Q(user=user)
    if user.citizen_id:
        # Also what was sent to the citizen ID before the account existed.
        condition |= Q(citizen_id=user.citizen_id)
    return condition


def notifications_for(user) -> QuerySet[Notification]:
    """The person's in-app list, newest first (none for anonymous visitors)."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        _recipient_filter(user), channel=Notification.Channel.IN_APP
    ).select_related("dossier")


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notifications_for_dossier(dossier) -> QuerySet[Notification]:
    """Every notification about a dossier with its delivery status (for staff pages)."""
    return Notification.objects.filter(dossier=dossier).order_by("created_at", "channel")

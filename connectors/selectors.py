"""Reads of connector calls, for the pages that show a dossier's checks."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ConnectorCall


def calls_for(dossier) -> QuerySet[ConnectorCall]:
    """A dossier's calls, oldest first."""
    return ConnectorCall.objects.filter(dossier=dossier).order_by("created_at", "pk")


def source_of(call: ConnectorCall) -> str:
    """Who answers this call, for "Đang chờ kết quả xác minh từ …"."""
    from .registry import connector

    try:
        return str(connector(call.check_name).source)
    except LookupError:
        return call.check_name

"""Reads of satisfaction ratings."""

from __future__ import annotations

from .models import Rating


def rating_of(dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()

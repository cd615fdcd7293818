"""How the scanner is found: the class named in settings.UPLOADS_SCANNER (ClamAV when a clamd
socket is configured, else the development scanner)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Scanner


@cache
def _load(path: str) -> Scanner:
    return import_string(path)()


def scanner() -> Scanner:
    # Keyed by the setting's value, so a changed setting (a test, a reload) takes effect.
    return _load(settings.UPLOADS_SCANNER)

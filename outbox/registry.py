"""How the relay finds its sources: the classes named in settings.OUTBOX_SOURCES."""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Source


@functools.cache
def _sources(paths: tuple[str, ...]) -> tuple[Source, ...]:
    return tuple(import_string(path)() for path in paths)


def sources() -> tuple[Source, ...]:
    return _sources(tuple(settings.OUTBOX_SOURCES))

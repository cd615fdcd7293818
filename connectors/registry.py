"""Connectors by check name: the classes named in settings.CONNECTORS_BACKENDS."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Connector


@cache
def _load(path: str) -> Connector:
    return import_string(path)()


def connector(check: str) -> Connector:
    try:
        path = settings.CONNECTORS_BACKENDS[check]
    except KeyError:
        raise LookupError(check) from None
    return _load(path)


def checks() -> list[str]:
    return list(settings.CONNECTORS_BACKENDS)

"""How prefill plug-ins are found: the classes named in settings.PROCEDURES_PREFILL_PLUGINS."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PrefillPlugin


@cache
def plugins() -> dict[str, PrefillPlugin]:
    found = {}
    for path in settings.PROCEDURES_PREFILL_PLUGINS:
        plugin = import_string(path)()
        found[plugin.identifier] = plugin
    return found


def prefill_values(citizen_id: str) -> dict[str, Any]:
    """Every attribute every plug-in knows about the person, keyed "<plug-in>.<attribute>"."""
    values: dict[str, Any] = {}
    for identifier, plugin in plugins().items():
        for attribute, value in plugin.values(citizen_id).items():
            values[f"{identifier}.{attribute}"] = value
    return values


def source_label(attribute: str) -> str:
    plugin = plugins().get(attribute.split(".", 1)[0])
    return str(plugin.label) if plugin else ""

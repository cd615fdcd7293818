"""The prefill plug-in interface: a source of facts the state already holds about a person.

A plug-in answers `values(citizen_id)` with attribute → value; e-form fields name an
attribute as "<plug-in identifier>.<attribute>" (or, for a person or address block, the
plug-in alone). Other sources (the civil-status database, the tax register…) implement the
same two members and are listed in settings.PROCEDURES_PREFILL_PLUGINS.
"""

from __future__ import annotations

from typing import Any, Protocol


class PrefillPlugin(Protocol):
    identifier: str
    label: str  # shown beside a prefilled field: where the value came from

    def values(self, citizen_id: str) -> dict[str, Any]:
        """What this source knows about the person; empty when it knows nothing."""

"""Changes to what the registry app records: who read a person's data."""

from __future__ import annotations

from .models import RegistryRead


def registry_read_record(*, reader, citizen_id: str, unit: str, role: str, purpose: str) -> RegistryRead:
    """Record that a member of staff read this person's registry record (the caller has just read it)."""
    return RegistryRead.objects.create(
        reader=reader, citizen_id=citizen_id, unit=unit[:255], role=role[:100], purpose=purpose[:255]
    )

from __future__ import annotations

from dataclasses import dataclass

from divisions.addresses import NormalisedAddress, normalise_address

from .base import Person, population_registry
from .models import RegistryRead


@dataclass
class CitizenProfile:
    person: Person
    address: NormalisedAddress
    household: list[Person]


def citizen_profile(citizen_id: str) -> CitizenProfile | None:
    """What the state already knows about a citizen, with the address as it is today."""
    registry = population_registry()
    person = registry.lookup(citizen_id)
    if person is None:
        return None
    return CitizenProfile(
        person=person,
        address=normalise_address(person.permanent_address),
        household=registry.household_of(citizen_id),
    )


def registry_reads_of(citizen_id: str, *, limit: int = 50) -> list[RegistryRead]:
    """Who read this person's registry data, newest first: for her own page only (the caller shows
    the unit, role and purpose, not the officer's name)."""
    return list(RegistryRead.objects.filter(citizen_id=citizen_id).order_by("-at")[:limit])

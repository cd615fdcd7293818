from __future__ import annotations

from dataclasses import dataclass

from divisions.addresses import NormalisedAddress, normalise_address

from .base import Person, population_registry


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

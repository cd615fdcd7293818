from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agencies.models import Agency
from agencies.selectors import scope_of
from divisions.addresses import NormalisedAddress, normalise_address

from .base import Person, population_registry
from .models import CorrectionRequest, RegistryRead


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


def correction_requests_of(citizen_id: str) -> list[CorrectionRequest]:
    """Her own correction requests, newest first."""
    return list(CorrectionRequest.objects.filter(citizen_id=citizen_id))


def police_agencies_of(user) -> QuerySet[Agency]:
    """The police units (the registry's owner) this officer works in."""
    return Agency.objects.filter(pk__in=scope_of(user).agencies, kind=Agency.Kind.POLICE)


def correction_requests_for(user) -> QuerySet[CorrectionRequest]:
    """The correction requests a police officer answers: those of residents of her unit's ward, or
    of its province for a provincial unit, and those whose ward is unknown (so none is lost). Nobody
    else sees any."""
    agencies = list(police_agencies_of(user))
    if not agencies:
        return CorrectionRequest.objects.none()
    wards = [a.ward_id for a in agencies if a.ward_id]
    provinces = [a.province_id for a in agencies if not a.ward_id]
    return CorrectionRequest.objects.filter(
        Q(ward__in=wards) | Q(ward__province__in=provinces) | Q(ward__isnull=True)
    ).select_related("ward")

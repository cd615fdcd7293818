"""The population-registry interface every other app asks for a person's data.

One backend is configured (settings.POPULATION_REGISTRY_BACKEND): the local
table now; a connector to the National Population Database later implements
the same two methods and nothing else changes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Person:
    citizen_id: str
    full_name: str
    birth_date: datetime.date
    gender: str
    ethnicity: str
    nationality: str
    permanent_address: str
    household_code: str
    relation_to_head: str
    marital_status: str
    phone: str = ""


class PopulationRegistry(Protocol):
    def lookup(self, citizen_id: str) -> Person | None:
        """The person with this citizen ID number, or None."""

    def household_of(self, citizen_id: str) -> list[Person]:
        """Everyone in the same household as this person, the person included."""


@cache
def population_registry() -> PopulationRegistry:
    return import_string(settings.POPULATION_REGISTRY_BACKEND)()

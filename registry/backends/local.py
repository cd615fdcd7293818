from __future__ import annotations

from ..base import Person
from ..models import PersonRecord

_FIELDS = [
    "citizen_id",
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "nationality",
    "permanent_address",
    "household_code",
    "relation_to_head",
    "marital_status",
    "phone",
]


def _person(row: dict) -> Person:
    return Person(**row)


class LocalRegistry:
    """Reads the local PersonRecord table."""

    def lookup(self, citizen_id: str) -> Person | None:
        row = PersonRecord.objects.filter(citizen_id=citizen_id).values(*_FIELDS).first()
        return _person(row) if row else None

    def household_of(self, citizen_id: str) -> list[Person]:
        household = PersonRecord.objects.filter(citizen_id=citizen_id).values_list(
            "household_code", flat=True
        )
        rows = (
            PersonRecord.objects.filter(household_code__in=household).order_by("birth_date").values(*_FIELDS)
        )
        return [_person(row) for row in rows]

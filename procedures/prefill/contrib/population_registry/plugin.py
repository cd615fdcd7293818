"""Prefill from the population registry (registry.base.population_registry), address normalised."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from registry.selectors import citizen_profile


class PopulationRegistryPrefill:
    identifier = "population_registry"
    label = _("Cơ sở dữ liệu quốc gia về dân cư")

    def values(self, citizen_id: str) -> dict[str, Any]:
        profile = citizen_profile(citizen_id)
        if profile is None:
            return {}
        person, address = profile.person, profile.address
        return {
            "citizen_id": person.citizen_id,
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "nationality": person.nationality,
            "marital_status": person.marital_status,
            "address": {
                "street": address.street if address.ward else address.original,
                "province": address.ward.province_id
                if address.ward
                else (address.province.pk if address.province else None),
                "ward": address.ward.pk if address.ward else None,
                "original": address.original,
                "changed": address.changed,
                "explanation": address.explanation,
            },
        }

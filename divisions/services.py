from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from .models import FormerWard, Province, Ward, WardSuccession


@transaction.atomic
def divisions_load(*, path: Path) -> Province:
    """Load (or update) a province's wards and its former-ward mapping from a YAML file.

    Safe to run again: rows are matched on their natural keys, and the
    successions of each former ward listed are replaced by the file's.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    spec = data["province"]
    province, _ = Province.objects.update_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "citizen_id_code": spec.get("citizen_id_code", ""),
        },
    )
    wards = {}
    for item in data["wards"]:
        ward, _ = Ward.objects.update_or_create(
            province=province,
            name=item["name"],
            defaults={"code": item.get("code", ""), "kind": item.get("kind", Ward.Kind.WARD)},
        )
        wards[ward.name] = ward
    for item in data.get("former_units", []):
        former, _ = FormerWard.objects.get_or_create(
            province=province, name=item["name"], district=item["district"]
        )
        wanted = []
        # The default may move to another row; clear it first so the one-default constraint holds.
        former.successions.update(is_default=False)
        for index, succession in enumerate(item["successors"]):
            ward = wards[succession["ward"]]
            wanted.append(ward.pk)
            WardSuccession.objects.update_or_create(
                former=former,
                ward=ward,
                defaults={"is_default": index == 0, "streets": succession.get("streets", [])},
            )
        former.successions.exclude(ward_id__in=wanted).delete()
    return province

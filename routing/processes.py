"""Loading the processes: each procedure's steps, stages, agencies and checks, from
`data/processes.yaml` (or a province's own file), and the reception deadline they share."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from django.db import transaction

from agencies.models import Agency
from divisions.models import Ward
from procedures.models import Procedure

from .models import (
    DossierStep,
    Process,
    RoutingRule,
    StepDefinition,
)
from .services import CHECK_PARAMS

logger = logging.getLogger(__name__)

PROCESSES_FILE = Path(__file__).resolve().parent / "data" / "processes.yaml"

# --- Process data ---------------------------------------------------------------------------


def _expand_step(raw: dict, templates: dict) -> dict:
    step = dict(templates[raw["use"]]) if "use" in raw else {}
    step.update({k: v for k, v in raw.items() if k != "use"})
    return step


def _checks_of(step: dict, code: str) -> list[str]:
    checks = step.get("checks", [])
    if not isinstance(checks, list) or any(c not in CHECK_PARAMS for c in checks):
        raise ValueError(f"{code} {step['key']}: checks must be a list of {sorted(CHECK_PARAMS)}: {checks}")
    return checks


@transaction.atomic
def routing_load(*, path: Path = PROCESSES_FILE) -> list[Process]:
    """Load processes and routing rules from the data file. Idempotent."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    templates = data.get("templates", {})
    loaded = []
    for code, item in data["processes"].items():
        procedure = Procedure.objects.get(code=code)
        process, _created = Process.objects.update_or_create(
            procedure=procedure, defaults={"description": item.get("description", "")}
        )
        keys = []
        total = 0
        for stage, steps in enumerate(item["stages"], start=1):
            for raw in steps:
                step = _expand_step(raw, templates)
                Agency.Kind(step["agency_kind"])
                StepDefinition.Kind(step["kind"])
                StepDefinition.objects.update_or_create(
                    process=process,
                    key=step["key"],
                    defaults={
                        "name": step["name"],
                        "kind": step["kind"],
                        "stage": stage,
                        "agency_kind": step["agency_kind"],
                        "share": step["share"],
                        "outcomes": step.get("outcomes", []),
                        "checks": _checks_of(step, code),
                    },
                )
                keys.append(step["key"])
                total += step["share"]
        if total > 100:
            raise ValueError(f"{code}: step shares add up to {total} %, more than the time limit")
        # Steps dropped from the file go, unless a dossier already passed through them.
        used = DossierStep.objects.filter(definition__process=process).values("definition")
        process.steps.exclude(key__in=keys).exclude(pk__in=used).delete()
        loaded.append(process)
    rules = data.get("rules", [])
    for position, rule in enumerate(rules, start=1):
        RoutingRule.objects.update_or_create(
            position=position,
            defaults={
                "procedure_codes": rule.get("procedures", []),
                "step_keys": rule.get("steps", []),
                "agency_kinds": rule.get("agency_kinds", []),
                "ward": Ward.objects.get(name=rule["ward"]) if rule.get("ward") else None,
                "target": RoutingRule.Target(rule["target"]),
                "agency": Agency.objects.get(code=rule["agency"]) if rule.get("agency") else None,
                "note": rule.get("note", ""),
            },
        )
    RoutingRule.objects.filter(position__gt=len(rules)).delete()
    return loaded

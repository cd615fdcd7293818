"""The survey's indicators and scale, read from satisfaction/data/criteria.yaml (data a province may edit)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CRITERIA_FILE = Path(__file__).resolve().parent / "data" / "criteria.yaml"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str


@cache
def survey() -> tuple[tuple[Criterion, ...], tuple[tuple[int, str], ...]]:
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    criteria = tuple(Criterion(key=c["key"], label=c["label"]) for c in data["criteria"])
    scale = tuple((item["points"], item["label"]) for item in data["scale"])
    return criteria, scale


def criteria() -> tuple[Criterion, ...]:
    return survey()[0]


def scale() -> tuple[tuple[int, str], ...]:
    return survey()[1]


def max_points() -> int:
    return len(criteria()) * max(points for points, _label in scale())

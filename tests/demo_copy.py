"""The `demo` fixture's data, loaded the way `make run` loads it once per test process, then copied in.

`portal.demo.demo_data_load` costs 2.5 s (3,600 queries, five YAML files parsed), and a hundred and
more tests start from it: a few minutes of every `make test`. The first test of a process that asks
for it loads it for real and keeps the rows it added; a later test whose database is in the same
state before (the same rows in every table: a rolled-back test leaves none behind) gets the same
rows written back in one INSERT per table, with their primary keys, so every foreign key holds.
Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED on PostgreSQL and
SQLite), so the order of the tables does not matter.

Anything else falls back to the real load: another day (the working calendar is seeded from today,
so a test that froze the clock elsewhere gets its own copy), or a database with rows the copy did
not start from (a test whose fixtures loaded Hanoi's wards before the demo).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone


@dataclass
class _Copy:
    rows: list[tuple[type, list[dict]]]
    result: object


# By database, day, arguments and the state of every table before.
_copies: dict[tuple, _Copy] = {}


def _models() -> list[type]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _state() -> frozenset:
    """Each table's row count and largest primary key, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT '{model._meta.db_table}', COUNT(*), MAX(CAST({quote(model._meta.pk.column)} AS TEXT)) "
        f"FROM {quote(model._meta.db_table)}"
        for model in _models()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return frozenset(cursor.fetchall())


def demo_load(load, **kwargs):
    """`load(**kwargs)` (portal.demo.demo_data_load), or the copy of what it wrote in this process."""
    key = (
        connection.settings_dict["NAME"],
        timezone.localdate(),
        tuple(sorted(kwargs.items())),
        _state(),
    )
    kept = _copies.get(key)
    if kept is not None:
        with transaction.atomic():
            for model, rows in kept.rows:
                model.objects.bulk_create(model(**row) for row in rows)
        return kept.result
    there = {model: set(model.objects.values_list("pk", flat=True)) for model in _models()}
    result = load(**kwargs)
    added = []
    for model in _models():
        pk = model._meta.pk.attname
        rows = [row for row in model.objects.values() if row[pk] not in there[model]]
        if rows:
            added.append((model, rows))
    _copies[key] = _Copy(rows=added, result=result)
    return result

"""The copy of the demo data (tests/demo_copy.py) is the demo data: every row of every table the same
as a real load writes, foreign keys included, apart from the moment each row was written."""

import datetime

from django.db import transaction

from portal.demo import demo_data_load
from tests import demo_copy


class _Undo(Exception):
    pass


def _every_row() -> dict:
    return {
        model._meta.label: sorted(
            (
                {key: value for key, value in row.items() if not isinstance(value, datetime.datetime)}
                for row in model.objects.values()
            ),
            key=repr,
        )
        for model in demo_copy._models()
    }


def _load_then_undo(load) -> tuple[object, dict]:
    try:
        with transaction.atomic():
            result = load()
            rows = _every_row()
            raise _Undo
    except _Undo:
        return result, rows


def test_the_copy_writes_what_the_real_load_wrote(db):
    demo_copy._copies.clear()
    # Loads for real and keeps a copy (random tokens and, on PostgreSQL, the ids are this load's own).
    real, real_rows = _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))
    assert len(demo_copy._copies) == 1
    copied, copied_rows = _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))  # the copy
    assert copied is real
    assert sum(len(rows) for rows in real_rows.values()) > 800
    assert copied_rows == real_rows


def test_a_database_in_another_state_gets_the_real_load(db, hanoi):
    demo_copy._copies.clear()
    _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))
    _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))
    assert len(demo_copy._copies) == 1  # the second found the state the first started from
    from divisions.models import Ward, WardSuccession

    Ward.objects.filter(name="Phường Cầu Giấy").update(name="Phường Cầu Giấy")  # same rows: same state
    _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))
    assert len(demo_copy._copies) == 1
    WardSuccession.objects.order_by("pk").last().delete()  # one row fewer: the copy would not fit
    _load_then_undo(lambda: demo_copy.demo_load(demo_data_load))
    assert len(demo_copy._copies) == 2

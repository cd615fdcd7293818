"""The list of counts is written once (dashboard/services.py) and names every count column."""

from django.db import models

from dashboard import selectors, services
from dashboard.models import Counts


def test_the_count_list_names_every_count_column_of_the_figures():
    columns = [f.name for f in Counts._meta.get_fields() if isinstance(f, models.PositiveIntegerField)]
    assert list(services.COUNTS) == columns


def test_the_readers_sum_the_list_the_writers_add_to():
    assert selectors.COUNTS is services.COUNTS
    assert set(selectors._sums()) == set(services.COUNTS)

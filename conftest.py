import pytest
from django.utils import translation

from divisions.services import divisions_load
from portal.demo import HANOI_FILE, demo_data_load


@pytest.fixture
def hanoi(db):
    """Hanoi's wards and the former-ward mapping, as shipped in divisions/data."""
    return divisions_load(path=HANOI_FILE)


@pytest.fixture
def demo(db):
    """The full demo dataset, loaded the way `make run` loads it."""
    return demo_data_load()


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Each test starts in Vietnamese, as the site does; a request that switched language must not leak."""
    translation.activate("vi")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _calendar_forgotten():
    """The working calendar is kept in memory per process; a rolled-back test must not leave its days."""
    from calendars import clock

    clock.forget()
    yield
    clock.forget()

import datetime

import pytest

from queueing.hours import LOCAL
from queueing.models import Counter, QueueService
from tests.factories import queue_world

# Monday 23 November 2026, 09:00 in Hanoi: the demo centres are open.
OPEN_NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL)
# The same Monday at 20:00: closed; Tuesday 24/11 is a day off (Ngày Văn hóa Việt Nam, holidays.VN),
# so it opens again Wednesday 25/11 at 08:00.
CLOSED_NOW = datetime.datetime(2026, 11, 23, 20, 0, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def _no_setup_cache(settings):
    """Each test builds its own centres; a cached one from an earlier test must not answer."""
    settings.QUEUEING_SETUP_CACHE_SECONDS = 0


@pytest.fixture
def open_now():
    return OPEN_NOW


@pytest.fixture
def centre(db):
    """Cầu Giấy's centre (000.00.01.H26) as the demo has it, with Ba Đình's and Hoàn Kiếm's beside
    it, their clerks, the supervisor and the demo citizen (tests/factories.py: not the whole demo)."""
    return queue_world()["000.00.01.H26"]


@pytest.fixture
def civil_status(centre):
    return QueueService.objects.get(centre=centre, letter="A")


@pytest.fixture
def certification(centre):
    return QueueService.objects.get(centre=centre, letter="B")


@pytest.fixture
def counter_1(centre):
    return Counter.objects.get(centre=centre, number=1)


@pytest.fixture
def counter_5(centre):
    return Counter.objects.get(centre=centre, number=5)

import datetime

import pytest
from django.urls import reverse

from notifications.channels import sms
from queueing.challenge import challenge_issue, challenge_solve
from queueing.hours import LOCAL
from queueing.kiosks import kiosk_register
from queueing.models import Counter, Kiosk, QueueService
from queueing.phone_codes import phone_code_send
from registry.models import PersonRecord
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


# The demo citizen, two neighbours, and the sixty people of the booking race (test_appointments).
REGISTERED = ("001188123456", "001088000001", "001088000002", *(f"0011880000{n:02d}" for n in range(60)))


@pytest.fixture(autouse=True)
def _registry_records(request):
    """The citizen IDs the queue tests book with are people in the population registry (issue 18)."""
    if "centre" not in request.fixturenames:
        return
    request.getfixturevalue("centre")  # with whichever database access the test asked for
    for number, citizen_id in enumerate(REGISTERED):
        PersonRecord.objects.get_or_create(
            citizen_id=citizen_id,
            defaults={
                "full_name": f"Người dân {number}",
                "birth_date": datetime.date(1988, 1, 1),
                "gender": PersonRecord.Gender.FEMALE,
                "permanent_address": "Cầu Giấy, Hà Nội",
                "household_code": f"HK{number}",
                "phone": f"091234567{number}",
            },
        )


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


@pytest.fixture
def kiosk(centre):
    """A kiosk of the centre registered as `manage.py kiosk_register` does: its token and one-time link."""
    return kiosk_register(centre=centre, name="Ki-ốt sảnh chính")


@pytest.fixture
def kiosk_browser(client, centre, kiosk):
    """A browser that opened the kiosk's registration link: it holds the signed device cookie."""
    client.post(reverse("queueing:kiosk_register", args=[centre.code, kiosk.link_key]))
    return client


@pytest.fixture
def board(centre):
    """A display board of the centre registered as `manage.py kiosk_register --board` does."""
    return kiosk_register(centre=centre, name="Màn hình phòng chờ", role=Kiosk.Role.BOARD)


@pytest.fixture
def board_browser(client, centre, board):
    """A browser that opened the board's registration link: it holds the board's device cookie."""
    client.post(reverse("queueing:board_register", args=[centre.code, board.link_key]))
    return client


@pytest.fixture
def phone_code(django_capture_on_commit_callbacks):
    """Send a one-time code to a phone as the "Gửi mã" step does; returns the code the SMS carried."""

    def send(phone: str = "0912345678", now=None) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            phone_code_send(phone=phone, now=now)
        return sms.outbox[-1].text.split(": ")[1][:6]

    return send


def solved_challenge() -> str:
    """What the browser's proof-of-work script posts in the `altcha` field, found in Python."""
    return challenge_solve(challenge_issue())

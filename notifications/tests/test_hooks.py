import datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Notification
from queueing.models import Counter, QueueService
from queueing.services import counter_sign_in, ticket_call_next, ticket_finish, ticket_issue


@pytest.fixture
def queue(centre, django_user_model):
    from agencies.models import Membership, OpeningSession

    for weekday in range(7):
        OpeningSession.objects.create(
            centre=centre, weekday=weekday, opens=datetime.time(0, 0), closes=datetime.time(23, 59)
        )
    service = QueueService.objects.create(centre=centre, letter="A", name="Hộ tịch", position=1)
    counter = Counter.objects.create(centre=centre, number=1, label="Quầy 1")
    counter.services.add(service)
    clerk = django_user_model.objects.create_user(username="canbo", password="x")
    Membership.objects.create(user=clerk, role="counter_staff", centre=centre)
    return service, counter, clerk


def test_tickets_near_the_front_are_told_once(queue, centre, walk_in, citizen, settings):
    settings.QUEUEING_NEAR_FRONT = 1
    service, counter, clerk = queue
    # An ordinary Wednesday morning: the wall clock may fall on a holiday, when centres close.
    now = datetime.datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    ticket_issue(centre=centre, service=service, channel="kiosk", now=now)
    first = ticket_issue(centre=centre, service=service, channel="kiosk", citizen_id=walk_in, now=now)
    second = ticket_issue(
        centre=centre, service=service, channel="phone", citizen_id=citizen.citizen_id, now=now
    )
    counter_sign_in(counter=counter, user=clerk, now=now)

    ticket_call_next(counter=counter, now=now)  # calls `anonymous`; `first` is next, `second` has 1 ahead
    notes = Notification.objects.filter(kind="ticket_near_front", channel="in_app")
    assert {(n.citizen_id, n.subject) for n in notes} == {
        (walk_in, f"Số {first.code} sắp đến lượt"),
        (citizen.citizen_id, f"Số {second.code} sắp đến lượt"),
    }
    count = Notification.objects.count()
    ticket_finish(counter=counter, now=now)
    ticket_call_next(counter=counter, now=now + datetime.timedelta(minutes=1))  # no new ones: once per ticket
    assert Notification.objects.count() == count

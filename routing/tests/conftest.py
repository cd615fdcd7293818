import datetime
import zoneinfo

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from agencies.models import Agency, Centre, Membership
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Procedure
from procedures.services import dossier_enter, dossier_submit
from routing import handoffs
from routing.models import OutboxMessage

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
JUDICIAL_RECORD = "2.000488"


@pytest.fixture
def now(time_machine):
    """A settable, stopped clock: `now.set(datetime)` moves this process's time there (time-machine:
    timezone.now(), datetime.now(), time.time()), and it stays there until the next `set`."""

    class Clock:
        def set(self, value):
            self.value = value
            time_machine.move_to(value, tick=False)

    clock = Clock()
    clock.set(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=HANOI))  # a Monday
    return clock


def file_dossier(
    *,
    code: str,
    centre_code: str = "000.00.01.H26",
    channel: str = "online",
    received_at=None,
    citizen_id: str = DEMO_CITIZEN_ID,
    enter: bool = True,
):
    """File a dossier and enter it in the books, as the relay has a worker do a moment later
    (`enter=False`: leave that to the relay, for tests of the running processes)."""
    procedure = Procedure.objects.get(code=code)
    user, _ = User.objects.get_or_create(username=citizen_id, defaults={"citizen_id": citizen_id})
    dossier = dossier_submit(
        form=procedure.current_form(),
        centre=Centre.objects.get(code=centre_code),
        channel=channel,
        applicant_citizen_id=citizen_id,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=user,
        data={},
        received_at=received_at,
    )
    if enter:
        dossier_enter(dossier_id=dossier.pk)
    return dossier


def officer_of(agency_code: str, username: str | None = None) -> User:
    agency = Agency.objects.get(code=agency_code)
    user, _ = User.objects.get_or_create(
        username=username or f"officer-{agency_code}", defaults={"first_name": agency.name}
    )
    Membership.objects.get_or_create(user=user, role=Membership.Role.AGENCY_OFFICER, agency=agency)
    return user


def handoffs_process() -> None:
    """Process every pending hand-off, as the worker would (possibly several rounds)."""
    while pending := list(OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True)):
        for pk in pending:
            handoffs.message_process(message_id=pk)


def api_client_for(username: str):
    """An API client holding a fresh user token of `username`."""
    _token, key = api_token_issue(kind="user", user=User.objects.get(username=username))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client

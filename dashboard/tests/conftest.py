import datetime
import itertools

import pytest
from django.utils import timezone

from accounts.models import User
from agencies.models import Membership
from procedures.models import Channel, Dossier, Procedure
from tests.factories import supervision_world

_numbers = itertools.count(1)


@pytest.fixture
def centres(db):
    """The demo's three centres (Cầu Giấy, Ba Đình, Hoàn Kiếm) with their queues, agencies and
    staff, and procedure 2.000815 with its route: built row by row (tests/factories.py)."""
    return supervision_world()


@pytest.fixture
def people(centres):
    """One person per role: clerks of two centres, an officer, the province's supervisor, a centre
    supervisor of Ba Đình, and the demo citizen."""
    ba_dinh_lead = User.objects.create_user(username="lanhdao.badinh", password="x")
    Membership.objects.create(user=ba_dinh_lead, role="supervisor", centre=centres["000.00.02.H26"])
    return {
        "clerk": User.objects.get(username="canbo.caugiay"),
        "other_clerk": User.objects.get(username="canbo.badinh"),
        "officer": User.objects.get(username="chuyenvien.hotich"),
        "province_lead": User.objects.get(username="giamsat.hanoi"),
        "centre_lead": ba_dinh_lead,
        "citizen": User.objects.get(username="001188123456"),
    }


@pytest.fixture
def make_dossier(centres):
    """A dossier row as routing would leave it: status, deadline and settlement given by the test."""

    def make(*, centre, status=Dossier.Status.DONE, procedure=None, channel=Channel.COUNTER,
             submitted_by=None, received_at=None, settled_at=None, on_time=None, deadline_state="on_track",
             due_at=None,
             citizen_id="001188123456"):  # fmt: skip
        procedure = procedure or Procedure.objects.get(code="2.000815")
        received_at = received_at or timezone.now() - datetime.timedelta(days=2)
        number = next(_numbers)
        return Dossier.objects.create(
            code=f"{centre.code}-TEST-{number:05d}",
            procedure=procedure,
            form=procedure.current_form(),
            centre=centre,
            channel=channel,
            status=status,
            applicant_citizen_id=citizen_id,
            applicant_name="Nguyễn Thị Lan",
            submitted_by=submitted_by or _filer(),
            data={},
            received_at=received_at,
            due_date=(due_at or received_at).date(),
            due_at=due_at or received_at + datetime.timedelta(days=1),
            deadline_state=deadline_state,
            settled_at=settled_at,
            on_time=on_time,
        )

    return make


def _filer():
    user, _created = User.objects.get_or_create(username="nguoi.nop.truc.tuyen")
    return user

import itertools

import pytest
from django.utils import timezone

from accounts.models import User
from agencies.models import Centre
from divisions.models import Ward
from procedures.models import Channel, Dossier
from procedures.services import procedures_load

_numbers = itertools.count(1)


@pytest.fixture
def centre(hanoi):
    procedures_load()
    return Centre.objects.create(
        code="000.00.09.H26",
        name="Trung tâm thử",
        ward=Ward.objects.get(name="Phường Cầu Giấy"),
        address="Số 1",
    )


@pytest.fixture
def make_done(centre):
    filer, _created = User.objects.get_or_create(username="nguoi.nop")

    def make(status=Dossier.Status.DONE):
        from procedures.models import Procedure

        procedure = Procedure.objects.get(code="2.000815")
        now = timezone.now()
        return Dossier.objects.create(
            code=f"{centre.code}-T-{next(_numbers):05d}",
            procedure=procedure,
            form=procedure.current_form(),
            centre=centre,
            channel=Channel.COUNTER,
            status=status,
            applicant_citizen_id="001188123456",
            applicant_name="Nguyễn Thị Lan",
            submitted_by=filer,
            data={},
            received_at=now,
            due_date=now.date(),
            due_at=now,
            settled_at=now if status == Dossier.Status.DONE else None,
            on_time=True if status == Dossier.Status.DONE else None,
        )

    return make

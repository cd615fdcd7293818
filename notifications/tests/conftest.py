import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from agencies.models import Centre
from divisions.models import Ward
from procedures.models import Procedure
from procedures.services import dossier_submit, procedures_load
from registry.citizen_id import FEMALE, MALE, make_citizen_id
from registry.models import PersonRecord


def person(citizen_id: str, *, phone: str = "", name: str = "Nguyễn Thị Mai", gender=FEMALE, year=1990):
    return PersonRecord.objects.create(
        citizen_id=citizen_id,
        full_name=name,
        birth_date=datetime.date(year, 5, 17),
        gender=gender,
        permanent_address="Số 1 Phố Trần Thái Tông, Phường Cầu Giấy, Thành phố Hà Nội",
        household_code="HK-TEST-1",
        phone=phone,
    )


@pytest.fixture
def citizen(db):
    """A citizen with an account, an e-mail address and a phone number in the registry."""
    citizen_id = make_citizen_id(province_code="001", gender=FEMALE, birth_year=1990, serial=4242)
    person(citizen_id, phone="0912345678")
    return User.objects.create_user(
        username=citizen_id, password="x", citizen_id=citizen_id, email="mai@example.vn", first_name="Mai"
    )


@pytest.fixture
def walk_in(db):
    """A citizen with no account, known to the registry with a phone number."""
    citizen_id = make_citizen_id(province_code="001", gender=MALE, birth_year=1960, serial=777)
    person(citizen_id, phone="0987654321", name="Trần Văn Bình", gender=MALE, year=1960)
    return citizen_id


@pytest.fixture
def centre(hanoi):
    return Centre.objects.create(
        code="000.00.09.H26",
        name="Trung tâm thử",
        ward=Ward.objects.get(name="Phường Cầu Giấy"),
        address="Số 1",
    )


@pytest.fixture
def dossier(db, centre, citizen):
    procedures_load()
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    return dossier_submit(
        form=procedure.current_form(),
        centre=centre,
        channel="online",
        applicant_citizen_id=citizen.citizen_id,
        applicant_name="Nguyễn Thị Mai",
        submitted_by=citizen,
        data={"pages": 1, "copies": 1},
        received_at=timezone.now(),
    )


@pytest.fixture
def published():
    """Every task this process hands to the broker (Celery's own signal, the broker untouched)."""
    from celery.signals import before_task_publish

    names = []

    def record(sender=None, headers=None, **_kwargs):
        names.append((sender, (headers or {}).get("kwargsrepr", "")))

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)

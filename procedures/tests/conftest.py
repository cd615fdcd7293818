import pytest

from accounts.models import User
from agencies.models import Centre
from divisions.models import Ward
from procedures.services import procedures_load
from registry.citizen_id import FEMALE, make_citizen_id


@pytest.fixture
def catalogue(db):
    return procedures_load()


@pytest.fixture
def centre(hanoi):
    return Centre.objects.create(
        code="000.00.09.H26",
        name="Trung tâm thử",
        ward=Ward.objects.get(name="Phường Cầu Giấy"),
        address="Số 1",
    )


@pytest.fixture
def citizen_id():
    return make_citizen_id(province_code="001", gender=FEMALE, birth_year=1990, serial=4242)


@pytest.fixture
def filer(db, citizen_id):
    return User.objects.create_user(username=citizen_id, password="x", citizen_id=citizen_id)

"""Test data built row by row (factory_boy): what a test needs, in milliseconds.

The `demo` fixture (conftest.py) loads the whole demo the way `make run` does: Hanoi's wards and
former wards, 200 residents, the catalogue, every route; 2-3.5 s a test. A queue test needs a
centre with its counters, opening hours and queue services; a dashboard test a few dossiers. The
factories below make those rows with the demo's codes and names, so a test reads the same either
way, and the helpers at the end put the usual sets together.
"""

from __future__ import annotations

import datetime
import functools
import tempfile
from pathlib import Path

import factory
import yaml
from factory.django import DjangoModelFactory

from accounts.models import User
from agencies.models import Agency, Centre, Membership, OpeningSession
from divisions.models import Province, Ward
from portal.demo import (
    CENTRES,
    COUNTER_LABELS,
    DEMO_CITIZEN_ID,
    DEMO_PASSWORD,
    PROVINCE_AGENCIES,
    WARD_AGENCIES,
)
from procedures.services import CATALOGUE_FILE, procedures_load
from queueing.demo import queueing_demo_load
from queueing.models import Counter
from routing.processes import PROCESSES_FILE, routing_load


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "01"
    name = "Thành phố Hà Nội"
    citizen_id_code = "001"


class WardFactory(DjangoModelFactory):
    class Meta:
        model = Ward
        django_get_or_create = ("province", "name")

    province = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"Phường Thử {n}")
    code = factory.Sequence(lambda n: f"9{n:04d}")


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.00.{n + 11:02d}.H26")
    ward = factory.SubFactory(WardFactory)
    name = factory.LazyAttribute(
        lambda o: f"Trung tâm Phục vụ hành chính công {o.ward.name[0].lower()}{o.ward.name[1:]}"
    )
    address = factory.LazyAttribute(lambda o: f"Số 10 Phố Chính, {o.ward.name}, Thành phố Hà Nội")


class OpeningSessionFactory(DjangoModelFactory):
    class Meta:
        model = OpeningSession
        django_get_or_create = ("centre", "weekday", "opens")

    centre = factory.SubFactory(CentreFactory)
    weekday = 0
    opens = datetime.time(8)
    closes = datetime.time(12)


class CounterFactory(DjangoModelFactory):
    class Meta:
        model = Counter
        django_get_or_create = ("centre", "number")

    centre = factory.SubFactory(CentreFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: COUNTER_LABELS[(o.number - 1) % len(COUNTER_LABELS)])


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TEST-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan thử {n}")
    kind = Agency.Kind.CIVIL_STATUS
    province = factory.SubFactory(ProvinceFactory)
    ward = None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"nguoi.dung.{n}")
    password = factory.django.Password(DEMO_PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.COUNTER_STAFF
    centre = factory.SubFactory(CentreFactory)


# --- Sets a test usually needs ----------------------------------------------------------------------


def centre_with_queues(code: str, ward: str, *, saturday: bool = False) -> Centre:
    """A centre as the demo makes it: five counters, open Monday to Friday 08:00-12:00 and
    13:00-17:00 (and Saturday morning if asked), the queue services of queueing/data/services.yaml."""
    centre = CentreFactory(code=code, ward=WardFactory(name=ward))
    for number in range(1, len(COUNTER_LABELS) + 1):
        CounterFactory(centre=centre, number=number)
    for weekday in range(5):
        OpeningSessionFactory(
            centre=centre, weekday=weekday, opens=datetime.time(8), closes=datetime.time(12)
        )
        OpeningSessionFactory(
            centre=centre, weekday=weekday, opens=datetime.time(13), closes=datetime.time(17)
        )
    if saturday:
        OpeningSessionFactory(centre=centre, weekday=5, opens=datetime.time(8), closes=datetime.time(12))
    queueing_demo_load([centre])
    return centre


def queue_world() -> dict[str, Centre]:
    """The demo's three centres with their queues, each with its counter clerk (canbo.caugiay,
    canbo.badinh, canbo.hoankiem), the province's supervisor (giamsat.hanoi) and the demo citizen:
    what the queue pages and APIs meet, without the rest of the demo. Keyed by centre code."""
    centres = {}
    for number, (code, ward, clerk) in enumerate(CENTRES, start=1):
        centres[code] = centre_with_queues(code, ward, saturday=number == 1)
        MembershipFactory(user=UserFactory(username=clerk), centre=centres[code])
    MembershipFactory(
        user=UserFactory(username="giamsat.hanoi"),
        role=Membership.Role.SUPERVISOR,
        centre=None,
        province=ProvinceFactory(),
    )
    UserFactory(username=DEMO_CITIZEN_ID, citizen_id=DEMO_CITIZEN_ID, first_name="Nguyễn Thị Lan")
    return centres


def agencies_of(centre: Centre) -> list[Agency]:
    """The agencies of a centre's ward, coded and named as the demo does (TP-<centre code> is its
    civil-status unit, CA-<centre code> its police)."""
    ward = centre.ward
    ward_lower = ward.name[0].lower() + ward.name[1:]
    return [
        AgencyFactory(
            code=f"{prefix}-{centre.code}",
            name=template.format(ward=ward.name, ward_lower=ward_lower),
            kind=kind,
            province=ward.province,
            ward=ward,
        )
        for kind, prefix, template in WARD_AGENCIES
    ]


def province_agencies() -> list[Agency]:
    """The demo's provincial agencies (Sở Tư pháp HN-STP, tax, land, business registry)."""
    return [
        AgencyFactory(code=code, name=name, kind=kind, province=ProvinceFactory())
        for code, kind, name in PROVINCE_AGENCIES
    ]


def catalogue(*codes: str) -> None:
    """These procedures with their forms and routes, by the loaders `make run` uses, from the data
    files shipped (procedures.yaml, processes.yaml) cut down to them."""
    wanted = tuple(sorted(codes))
    procedures_load(path=_cut(CATALOGUE_FILE, wanted))
    routing_load(path=_cut(PROCESSES_FILE, wanted))


@functools.cache
def _cut(path: Path, codes: tuple[str, ...]) -> Path:
    """A copy of a data file with only these procedures (written once per process)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "procedures" in data:
        data["procedures"] = [item for item in data["procedures"] if item["code"] in codes]
        assert len(data["procedures"]) == len(codes), f"not all of {codes} are in {path.name}"
    else:
        data["processes"] = {code: item for code, item in data["processes"].items() if code in codes}
    out = Path(tempfile.mkdtemp(prefix="motcua-test-data-")) / path.name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def supervision_world(*procedure_codes: str) -> dict[str, Centre]:
    """queue_world() with each centre's agencies and the province's, the civil-status officer of
    Cầu Giấy (chuyenvien.hotich) and these procedures (default: 2.000815, a certified copy)."""
    centres = queue_world()
    for centre in centres.values():
        agencies_of(centre)
    province_agencies()
    MembershipFactory(
        user=UserFactory(username="chuyenvien.hotich", first_name="Lê Minh Tuấn"),
        role=Membership.Role.AGENCY_OFFICER,
        centre=None,
        agency=Agency.objects.get(code="TP-000.00.01.H26"),
    )
    catalogue(*(procedure_codes or ("2.000815",)))
    return centres

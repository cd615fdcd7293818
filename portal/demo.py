"""The demo dataset: Hanoi after the 2025 reform, 3 centres, agencies, 200 residents, an account per role.

Deterministic (a fixed random seed) and idempotent: loading it twice changes
nothing, so `make run` can load it on every start.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.models import User
from agencies.models import Agency, Centre, Membership, OpeningSession
from divisions.models import FormerWard, Province, Ward
from divisions.services import divisions_load
from queueing.demo import queueing_demo_load
from queueing.models import Counter
from registry.citizen_id import FEMALE, MALE, make_citizen_id
from registry.models import PersonRecord

HANOI_FILE = Path(__file__).resolve().parent.parent / "divisions" / "data" / "hanoi.yaml"
DEMO_PASSWORD = "motcua-demo-2026"
PEOPLE = 200
SEED = 20250701


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    description: str


# The demo citizen lives on a street of the former Yên Hòa ward that went to Cầu Giấy ward.
DEMO_CITIZEN_ID = make_citizen_id(province_code="001", gender=FEMALE, birth_year=1988, serial=123456)

DEMO_ACCOUNTS = [
    DemoAccount(
        DEMO_CITIZEN_ID,
        "citizen",
        "Nguyễn Thị Lan",
        "Công dân, địa chỉ cũ ở phường Yên Hòa, quận Cầu Giấy",
    ),
    DemoAccount(
        "canbo.caugiay", "counter_staff", "Trần Thu Hà", "Cán bộ một cửa, Trung tâm PVHCC phường Cầu Giấy"
    ),
    DemoAccount(
        "chuyenvien.hotich", "agency_officer", "Lê Minh Tuấn", "Công chức Tư pháp - Hộ tịch phường Cầu Giấy"
    ),
    DemoAccount("congan.caugiay", "agency_officer", "Đỗ Văn Hùng", "Cán bộ Công an phường Cầu Giấy"),
    DemoAccount("chuyenvien.sotuphap", "agency_officer", "Vũ Thị Mai", "Chuyên viên Sở Tư pháp Hà Nội"),
    DemoAccount("giamsat.hanoi", "supervisor", "Phạm Quang Huy", "Lãnh đạo giám sát toàn thành phố Hà Nội"),
]

CENTRES = [
    # (electronic identifier, ward, counter clerk's username)
    ("000.00.01.H26", "Phường Cầu Giấy", "canbo.caugiay"),
    ("000.00.02.H26", "Phường Ba Đình", "canbo.badinh"),
    ("000.00.03.H26", "Phường Hoàn Kiếm", "canbo.hoankiem"),
]
COUNTER_LABELS = ["Hộ tịch", "Chứng thực", "Cư trú", "Kinh doanh - Đất đai", "Ưu tiên"]
WARD_AGENCIES = [
    (Agency.Kind.ONE_STOP, "TT", "Trung tâm Phục vụ hành chính công {ward_lower}"),
    (Agency.Kind.CIVIL_STATUS, "TP", "Bộ phận Tư pháp - Hộ tịch UBND {ward}"),
    (Agency.Kind.POLICE, "CA", "Công an {ward}"),
    (Agency.Kind.ECONOMIC, "KT", "Phòng Kinh tế {ward}"),
    (Agency.Kind.CONSTRUCTION, "XD", "Bộ phận Quản lý xây dựng UBND {ward}"),
]
# Agency officers other than the civil-status one, by the agency they work in (routing's inboxes).
OFFICER_AGENCIES = {"congan.caugiay": "CA-000.00.01.H26", "chuyenvien.sotuphap": "HN-STP"}
PROVINCE_AGENCIES = [
    ("HN-STP", Agency.Kind.PROVINCIAL_JUSTICE, "Sở Tư pháp Thành phố Hà Nội"),
    ("HN-THUE", Agency.Kind.TAX, "Thuế cơ sở 1 Thành phố Hà Nội"),
    ("HN-VPDKDD", Agency.Kind.LAND_REGISTRY, "Văn phòng Đăng ký đất đai Hà Nội"),
    ("HN-DKKD", Agency.Kind.BUSINESS_REGISTRY, "Phòng Đăng ký kinh doanh - Sở Tài chính Hà Nội"),
]

FAMILY_NAMES = (
    ["Nguyễn"] * 8
    + ["Trần"] * 3
    + ["Lê"] * 3
    + ["Phạm"] * 2
    + [
        "Hoàng",
        "Vũ",
        "Phan",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Ngô",
        "Dương",
        "Đinh",
        "Trịnh",
        "Lý",
        "Tạ",
    ]
)
MIDDLE = {
    MALE: ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Mạnh", "Xuân"],
    FEMALE: ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Thùy"],
}
GIVEN = {
    MALE: [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Thắng",
        "Trung",
        "Tuấn",
        "Việt",
        "Huy",
        "Hiếu",
        "Tùng",
        "Đạt",
    ],
    FEMALE: [
        "Anh",
        "Chi",
        "Dung",
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Ngọc",
        "Nhung",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Trang",
        "Vân",
        "Yến",
        "Hằng",
        "Thủy",
    ],
}
BIRTH_PROVINCES = ["001"] * 7 + ["036", "034", "038", "040", "030", "035"]
# How older records spell the same thing: the variants the normaliser must read.
OLD_STYLES = [
    "{street}, {ward}, {district}, Thành phố Hà Nội",
    "{street}, {ward_oldtone}, {district}, Hà Nội",
    "{street}, P. {ward_short}, Q. {district_short}, TP Hà Nội",
]


def _old_tone(text: str) -> str:
    # Pre-2018 school spelling put the tone on the first vowel: "Hòa" → "Hoà", "Thủy" → "Thuỷ".
    for new, old in (
        ("òa", "oà"),
        ("óa", "oá"),
        ("ỏa", "oả"),
        ("õa", "oã"),
        ("ọa", "oạ"),
        ("ủy", "uỷ"),
        ("ùy", "uỳ"),
    ):
        text = text.replace(new, old)
    return text


def _strip_kind(name: str) -> str:
    for prefix in ("Phường ", "Quận ", "Xã ", "Huyện "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class _Residents:
    """Generates households deterministically."""

    def __init__(
        self, rng: random.Random, wards: list[Ward], formers: list[FormerWard], streets: dict[str, list[str]]
    ):
        self.rng = rng
        self.wards = wards
        self.formers = formers
        self.streets = streets
        self.serials: set[str] = set()

    def citizen_id(self, gender: str, birth_date: datetime.date) -> str:
        while True:
            number = make_citizen_id(
                province_code=self.rng.choice(BIRTH_PROVINCES),
                gender=gender,
                birth_year=birth_date.year,
                serial=self.rng.randrange(1, 999999),
            )
            if number not in self.serials and number != DEMO_CITIZEN_ID:
                self.serials.add(number)
                return number

    def name(self, gender: str, family: str | None = None) -> str:
        family = family or self.rng.choice(FAMILY_NAMES)
        return f"{family} {self.rng.choice(MIDDLE[gender])} {self.rng.choice(GIVEN[gender])}"

    def birth_date(self, age_from: int, age_to: int) -> datetime.date:
        year = 2026 - self.rng.randint(age_from, age_to)
        born = datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        # The demo is of 2026: a baby of the year is born on its first day, never after today (a
        # birth date in the future is refused by every e-form, so such a resident could file nothing).
        return min(born, datetime.date(2026, 1, 1))

    def address(self) -> str:
        number = f"Số {self.rng.randint(1, 180)}"
        if self.rng.random() < 0.5:
            # Still written as before the reform.
            former = self.rng.choice(self.formers)
            # Only parts whose streets the mapping knows, so each address lands where the data says.
            parts = [s for s in former.successions.all() if s.is_default or s.streets]
            succession = self.rng.choice(parts)
            street_pool = succession.streets or self.streets.get(succession.ward.name) or ["Ngõ 1"]
            style = self.rng.choice(OLD_STYLES)
            return style.format(
                street=f"{number} {self.rng.choice(street_pool)}",
                ward=former.name,
                ward_oldtone=_old_tone(former.name),
                ward_short=_strip_kind(former.name),
                district=former.district,
                district_short=_strip_kind(former.district),
            )
        ward = self.rng.choice(self.wards)
        street = self.rng.choice(self.streets.get(ward.name) or ["Ngõ 1"])
        return f"{number} {street}, {ward.name}, Thành phố Hà Nội"

    def households(self, count: int):
        """Yield lists of person dicts, one list per household, until `count` people exist."""
        made = 0
        index = 0
        while made < count:
            index += 1
            code = f"HN{index:06d}"
            address = self.address()
            head_gender = MALE if self.rng.random() < 0.7 else FEMALE
            family = self.rng.choice(FAMILY_NAMES)
            head_birth = self.birth_date(28, 78)
            members = []
            married = self.rng.random() < 0.75
            members.append(
                self.person(
                    code,
                    address,
                    head_gender,
                    head_birth,
                    "head",
                    "married" if married else self.rng.choice(["single", "divorced", "widowed"]),
                    family,
                )
            )
            if married:
                spouse_gender = FEMALE if head_gender == MALE else MALE
                spouse_birth = self.birth_date(2026 - head_birth.year - 4, 2026 - head_birth.year + 4)
                members.append(self.person(code, address, spouse_gender, spouse_birth, "spouse", "married"))
            if head_birth.year < 1996:
                for _ in range(self.rng.randint(0, 3)):
                    gender = self.rng.choice([MALE, FEMALE])
                    child_birth = self.birth_date(
                        max(0, 2026 - head_birth.year - 40), 2026 - head_birth.year - 22
                    )
                    members.append(
                        self.person(
                            code,
                            address,
                            gender,
                            child_birth,
                            "child",
                            "single",
                            family if head_gender == MALE else None,
                        )
                    )
            members = members[: count - made]
            made += len(members)
            yield members

    def person(self, household, address, gender, birth_date, relation, marital, family=None):
        return {
            "citizen_id": self.citizen_id(gender, birth_date),
            "full_name": self.name(gender, family),
            "birth_date": birth_date,
            "gender": gender,
            "permanent_address": address,
            "household_code": household,
            "relation_to_head": relation,
            "marital_status": marital,
        }


def _street_lists(path: Path) -> dict[str, list[str]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {item["name"]: item.get("streets", []) for item in data["wards"]}


@transaction.atomic
def demo_data_load(*, people: int = PEOPLE) -> list[DemoAccount]:
    province = divisions_load(path=HANOI_FILE)
    streets = _street_lists(HANOI_FILE)
    wards = {w.name: w for w in Ward.objects.filter(province=province)}

    provincial = {}
    for code, kind, name in PROVINCE_AGENCIES:
        provincial[kind], _ = Agency.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "province": province, "ward": None}
        )
    centres = []
    for number, (code, ward_name, _clerk) in enumerate(CENTRES, start=1):
        ward = wards[ward_name]
        street = (streets.get(ward_name) or ["Phố Chính"])[0]
        centre, _ = Centre.objects.update_or_create(
            code=code,
            defaults={
                "name": f"Trung tâm Phục vụ hành chính công {ward_name[0].lower()}{ward_name[1:]}",
                "ward": ward,
                "address": f"Số {number * 10} {street}, {ward_name}, Thành phố Hà Nội",
                "phone": f"024 3{number}00 1234",
            },
        )
        centres.append(centre)
        for counter_number, label in enumerate(COUNTER_LABELS, start=1):
            Counter.objects.update_or_create(centre=centre, number=counter_number, defaults={"label": label})
        for weekday in range(5):
            for opens, closes in (
                (datetime.time(8), datetime.time(12)),
                (datetime.time(13), datetime.time(17)),
            ):
                OpeningSession.objects.update_or_create(
                    centre=centre, weekday=weekday, opens=opens, defaults={"closes": closes}
                )
        if number == 1:  # Cầu Giấy also opens on Saturday mornings.
            OpeningSession.objects.update_or_create(
                centre=centre, weekday=5, opens=datetime.time(8), defaults={"closes": datetime.time(12)}
            )
        for kind, prefix, template in WARD_AGENCIES:
            Agency.objects.update_or_create(
                code=f"{prefix}-{code}",
                defaults={
                    "name": template.format(ward=ward_name, ward_lower=ward_name[0].lower() + ward_name[1:]),
                    "kind": kind,
                    "province": province,
                    "ward": ward,
                },
            )

    _load_residents(province, list(wards.values()), streets, people=people)
    _load_accounts(province, centres)

    from procedures.demo import demo_load as procedures_demo_load

    procedures_demo_load()
    queueing_demo_load(centres)
    _load_calendar()
    from connectors.demo import connectors_demo_load

    connectors_demo_load()

    from routing.processes import routing_load

    routing_load()
    return DEMO_ACCOUNTS


def _load_calendar() -> None:
    """The working calendar for this year and the next two (seeding never undoes a supervisor's edit)."""
    from django.utils import timezone

    from calendars.services import calendar_seed

    this = timezone.localdate().year
    calendar_seed(years=[this, this + 1, this + 2])


def _load_residents(
    province: Province, wards: list[Ward], streets: dict[str, list[str]], *, people: int = PEOPLE
) -> None:
    formers = list(
        FormerWard.objects.filter(province=province).prefetch_related("successions__ward").order_by("pk")
    )
    residents = _Residents(random.Random(SEED), sorted(wards, key=lambda w: w.name), formers, streets)
    # The same seed: a larger population starts with the same 200 residents (benches ask for more).
    records = [person for household in residents.households(people - 1) for person in household]
    records.append(_demo_citizen(formers, streets))
    for person in records:
        citizen_id = person.pop("citizen_id")
        PersonRecord.objects.update_or_create(citizen_id=citizen_id, defaults=person)


def _demo_citizen(formers: list[FormerWard], streets: dict[str, list[str]]) -> dict:
    yen_hoa = next(f for f in formers if f.name == "Phường Yên Hòa" and f.district == "Quận Cầu Giấy")
    to_cau_giay = next(
        (s for s in yen_hoa.successions.all() if s.ward.name == "Phường Cầu Giấy" and s.streets), None
    )
    street = to_cau_giay.streets[0] if to_cau_giay else streets["Phường Yên Hòa"][0]
    return {
        "citizen_id": DEMO_CITIZEN_ID,
        "full_name": "Nguyễn Thị Lan",
        "birth_date": datetime.date(1988, 3, 14),
        "gender": FEMALE,
        "permanent_address": f"Số 12 {street}, Phường Yên Hoà, Quận Cầu Giấy, Thành phố Hà Nội",
        "household_code": "HN999001",
        "relation_to_head": "head",
        "marital_status": "single",
        # So her SMS notifications show in the worker's log (the local SMS gateway).
        "phone": "0912345678",
    }


def _load_accounts(province: Province, centres: list[Centre]) -> None:
    centre = centres[0]
    civil_status = Agency.objects.get(code=f"TP-{centre.code}")
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        if created:
            user.set_password(DEMO_PASSWORD)
        if account.role == "citizen":
            user.citizen_id = account.username
            user.email = "lan.nguyen@example.vn"  # e-mail notifications print in the worker (console)
        user.first_name = account.full_name  # Vietnamese order, family name first: kept whole
        user.save()
        scope = {
            "counter_staff": {"centre": centre},
            "agency_officer": {
                "agency": Agency.objects.get(code=OFFICER_AGENCIES[account.username])
                if account.username in OFFICER_AGENCIES
                else civil_status
            },
            "supervisor": {"province": province},
        }.get(account.role)
        if scope is not None:
            Membership.objects.get_or_create(user=user, role=account.role, **scope)
    # Every centre has its counter clerk, so supervisors see staff everywhere.
    for other, (_code, _ward, clerk) in zip(centres, CENTRES, strict=True):
        user, created = User.objects.get_or_create(username=clerk)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, role="counter_staff", centre=other)

"""The 12-digit citizen identification number (số định danh cá nhân).

Structure (Decree 137/2015/NĐ-CP, Circular 59/2021/TT-BCA): three digits for
the province of birth registration, one digit for gender and century of birth,
two digits for the last two digits of the birth year, six random digits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 63 provinces as they were when the numbers were issued; numbers keep
# their code after the 2025 merger of provinces.
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

MALE = "male"
FEMALE = "female"

# Gender-and-century digit: even for men, odd for women; 0/1 for the 1900s, 2/3 the 2000s…
_CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str
    gender: str
    birth_year_start: int  # first year of the century of birth
    birth_year_suffix: int

    @property
    def birth_year(self) -> int:
        return self.birth_year_start + self.birth_year_suffix


def parse_citizen_id(value: str) -> CitizenId:
    """Check the number's structure; raise ValidationError saying what is wrong."""
    number = (value or "").strip().replace(" ", "")
    if not number.isdigit() or len(number) != 12:
        raise ValidationError(
            _("Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập %(count)d ký tự)."),
            code="citizen_id_length",
            params={"count": len(number)},
        )
    province_code = number[:3]
    if province_code not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu (%(code)s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh."),
            code="citizen_id_province",
            params={"code": province_code},
        )
    digit = int(number[3])
    return CitizenId(
        number=number,
        province_code=province_code,
        gender=MALE if digit % 2 == 0 else FEMALE,
        birth_year_start=_CENTURY_START[digit // 2],
        birth_year_suffix=int(number[4:6]),
    )


def validate_citizen_id(value: str) -> None:
    parse_citizen_id(value)


def check_matches_person(number: str, *, birth_date: datetime.date, gender: str) -> None:
    """The number must agree with the person's gender and year of birth."""
    parsed = parse_citizen_id(number)
    errors = []
    if parsed.gender != gender:
        errors.append(
            ValidationError(
                _("Chữ số thứ tư của số định danh không khớp với giới tính."), code="citizen_id_gender"
            )
        )
    if parsed.birth_year != birth_date.year:
        errors.append(
            ValidationError(
                _("Số định danh cho năm sinh %(id_year)d nhưng ngày sinh là năm %(year)d."),
                code="citizen_id_birth_year",
                params={"id_year": parsed.birth_year, "year": birth_date.year},
            )
        )
    if errors:
        raise ValidationError(errors)


def make_citizen_id(*, province_code: str, gender: str, birth_year: int, serial: int) -> str:
    """Compose a structurally valid number (for demo data and tests)."""
    century_index = (birth_year - 1900) // 100
    digit = century_index * 2 + (0 if gender == MALE else 1)
    return f"{province_code}{digit}{birth_year % 100:02d}{serial:06d}"

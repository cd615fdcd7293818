import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from registry.citizen_id import FEMALE, MALE, check_matches_person, make_citizen_id, parse_citizen_id
from registry.models import PersonRecord


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_parses_province_gender_and_birth_year():
    parsed = parse_citizen_id("001188123456")
    assert parsed.province_code == "001"
    assert parsed.gender == FEMALE
    assert parsed.birth_year == 1988


def test_second_digit_pair_means_born_in_the_2000s():
    parsed = parse_citizen_id("079205000123")
    assert (parsed.gender, parsed.birth_year) == (MALE, 2005)


def test_spaces_typed_between_groups_are_ignored():
    assert parse_citizen_id("001 188 123456").number == "001188123456"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00118812345", "đúng 12 chữ số (bạn đã nhập 11 ký tự)"),
        ("0011881234567", "đúng 12 chữ số (bạn đã nhập 13 ký tự)"),
        ("00118812345a", "đúng 12 chữ số"),
        ("", "đúng 12 chữ số (bạn đã nhập 0 ký tự)"),
        ("003188123456", "Ba chữ số đầu (003) không phải mã tỉnh"),
        ("099188123456", "Ba chữ số đầu (099) không phải mã tỉnh"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_clear_message(value, expected):
    with pytest.raises(ValidationError) as error:
        parse_citizen_id(value)
    assert expected in messages(error.value)


def test_number_must_agree_with_gender_and_birth_year():
    with pytest.raises(ValidationError) as error:
        check_matches_person("001188123456", birth_date=datetime.date(1989, 1, 1), gender=MALE)
    text = messages(error.value)
    assert "giới tính" in text
    assert "năm sinh 1988 nhưng ngày sinh là năm 1989" in text


def test_make_citizen_id_round_trips():
    number = make_citizen_id(province_code="036", gender=FEMALE, birth_year=2003, serial=42)
    assert number == "036303000042"
    parsed = parse_citizen_id(number)
    assert (parsed.gender, parsed.birth_year, parsed.province_code) == (FEMALE, 2003, "036")


def _record(**overrides):
    values = {
        "citizen_id": "001188123456",
        "full_name": "Nguyễn Thị Lan",
        "birth_date": datetime.date(1988, 3, 14),
        "gender": FEMALE,
        "permanent_address": "Số 1 Phố Trần Duy Hưng, Phường Cầu Giấy, Thành phố Hà Nội",
        "household_code": "HN1",
    }
    values.update(overrides)
    return PersonRecord(**values)


@pytest.mark.django_db
def test_registry_record_validation_names_the_inconsistency():
    record = _record(gender=MALE)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "citizen_id" in error.value.message_dict
    assert "giới tính" in " ".join(error.value.message_dict["citizen_id"])
    _record().full_clean()  # the consistent record passes


@pytest.mark.django_db
def test_database_refuses_a_malformed_number_even_without_form_validation():
    with pytest.raises(IntegrityError):
        _record(citizen_id="00118812345").save()

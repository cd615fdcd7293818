import pytest

from divisions.addresses import Outcome, fold, normalise_address
from divisions.models import FormerWard, Province, Ward, WardSuccession
from divisions.services import divisions_load
from portal.demo import HANOI_FILE


def test_fold_makes_old_and_new_tone_placement_equal():
    assert fold("Phường Yên Hoà") == fold("Phường Yên Hòa") == fold("phuong yen hoa") == "phuong yen hoa"
    assert fold("Đống Đa") == "dong da"


# Former addresses of the demo data, as records write them → their ward today.
FORMER_ADDRESSES = [
    ("Số 12 Phố Phạm Văn Bạch, Phường Yên Hoà, Quận Cầu Giấy, Thành phố Hà Nội", "Phường Cầu Giấy"),
    ("Số 3 Phố Trung Kính, Phường Yên Hòa, Quận Cầu Giấy, Hà Nội", "Phường Yên Hòa"),
    ("Số 9 Phố Duy Tân, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội", "Phường Cầu Giấy"),
    ("Số 149 Phố Mã Mây, P. Hàng Buồm, Q. Hoàn Kiếm, TP Hà Nội", "Phường Hoàn Kiếm"),
    ("Số 48 Phố Hàng Buồm, Phường Hàng Gai, Quận Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm"),
    ("Số 61 Phố Ngũ Xã, Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội", "Phường Ba Đình"),
    ("Số 48 Phố Đốc Ngữ, P. Liễu Giai, Q. Ba Đình, TP Hà Nội", "Phường Ngọc Hà"),
    ("Số 5 Phố Quán Thánh, Phường Quán Thánh, Quận Ba Đình, Hà Nội", "Phường Ba Đình"),
    (
        "Số 145 Phố Khâm Thiên, Phường Văn Miếu - Quốc Tử Giám, Quận Đống Đa, Hà Nội",
        "Phường Văn Miếu - Quốc Tử Giám",
    ),
    ("so 7 pho thuy khue, phuong thuy khue, quan tay ho, ha noi", "Phường Tây Hồ"),
    ("Số 20 Phố Nguyễn Tuân, Phường Thanh Xuân Trung, Quận Thanh Xuân, Hà Nội", "Phường Thanh Xuân"),
    ("Số 2 Phố Giảng Võ, Phường Giảng Võ, Quận Ba Đình, Hà Nội", "Phường Giảng Võ"),
]


@pytest.mark.parametrize(("address", "ward"), FORMER_ADDRESSES)
def test_former_addresses_move_to_their_new_ward(hanoi, address, ward):
    result = normalise_address(address)
    assert result.outcome == Outcome.UPDATED
    assert result.ward.name == ward
    assert result.text.endswith(f", {ward}, Thành phố Hà Nội")
    assert "Quận" not in result.text  # the district level no longer exists
    assert result.former.name in result.explanation
    assert ward in result.explanation


def test_a_split_ward_follows_the_street(hanoi):
    """Former Yên Hòa went partly to Cầu Giấy ward (north of Dương Đình Nghệ), mostly to Yên Hòa ward."""
    north = normalise_address("Số 2 Phố Phạm Văn Bạch, Phường Yên Hòa, Quận Cầu Giấy, Hà Nội")
    south = normalise_address("Số 2 Đường Trần Duy Hưng, Phường Yên Hòa, Quận Cầu Giấy, Hà Nội")
    assert (north.ward.name, south.ward.name) == ("Phường Cầu Giấy", "Phường Yên Hòa")
    assert north.text == "Số 2 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội"


def test_a_current_address_is_left_alone(hanoi):
    result = normalise_address("Số 2 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội")
    assert result.outcome == Outcome.CURRENT
    assert not result.changed
    assert result.ward.name == "Phường Cầu Giấy"
    assert result.explanation == ""


def test_a_former_ward_named_without_its_district_is_still_found(hanoi):
    result = normalise_address("Số 4 Phố Liễu Giai, Phường Cống Vị, Hà Nội")
    assert result.outcome == Outcome.UPDATED
    assert result.ward.name == "Phường Ngọc Hà"


def test_todays_ward_written_with_its_old_district_is_todays_ward(hanoi):
    result = normalise_address("Số 1 Phố Trung Kính, Phường Yên Hòa, Quận Cầu Giấy, Hà Nội")
    # Yên Hòa is both a former and a current ward: the district marks the old record, so it maps.
    assert result.outcome == Outcome.UPDATED
    assert result.ward.name == "Phường Yên Hòa"
    result = normalise_address("Số 1 Phố Hàng Bạc, Phường Hoàn Kiếm, Quận Hoàn Kiếm, Hà Nội")
    assert result.outcome == Outcome.CURRENT
    assert result.ward.name == "Phường Hoàn Kiếm"


def test_an_unknown_ward_says_so_and_keeps_the_text(hanoi):
    result = normalise_address("Số 1 Đường Láng, Phường Không Có, Quận Đống Đa, Hà Nội")
    assert result.outcome == Outcome.UNKNOWN
    assert result.ward is None
    assert result.text == "Số 1 Đường Láng, Phường Không Có, Quận Đống Đa, Hà Nội"
    assert "Không nhận ra phường, xã" in result.explanation


def test_the_same_former_name_in_two_districts_needs_the_district(db):
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    north, south = (
        Ward.objects.create(province=province, name=name) for name in ("Phường Bắc", "Phường Nam")
    )
    for district, ward in (("Quận Một", north), ("Quận Hai", south)):
        former = FormerWard.objects.create(province=province, name="Phường 1", district=district)
        WardSuccession.objects.create(former=former, ward=ward, is_default=True)

    ambiguous = normalise_address("Số 5, Phường 1, Tỉnh Thử")
    assert ambiguous.outcome == Outcome.AMBIGUOUS
    assert {w.name for w in ambiguous.candidates} == {"Phường Bắc", "Phường Nam"}
    assert normalise_address("Số 5, Phường 1, Quận Hai, Tỉnh Thử").ward == south


def test_loading_the_province_file_twice_changes_nothing(hanoi):
    def snapshot():
        return (
            list(Ward.objects.values_list("name", "code", "kind").order_by("name")),
            list(
                WardSuccession.objects.values_list(
                    "former__name", "former__district", "ward__name", "is_default"
                ).order_by("former__district", "former__name", "ward__name")
            ),
        )

    before = snapshot()
    divisions_load(path=HANOI_FILE)
    assert snapshot() == before
    assert len(before[0]) >= 10

import pytest

from procedures.fees import fee_amount, fee_summary

CERTIFIED_COPY = {
    "kind": "per_page",
    "tiers": [{"from_page": 1, "amount": 2000}, {"from_page": 3, "amount": 1000}],
    "cap_per_copy": 200000,
    "pages_field": "pages",
    "copies_field": "copies",
}


@pytest.mark.parametrize(
    ("pages", "copies", "fee"),
    [
        (1, 1, 2000),
        (2, 1, 4000),
        (3, 1, 5000),  # from page 3, 1,000 per page
        (10, 2, 24000),  # (4,000 + 8 × 1,000) × 2
        (500, 1, 200000),  # capped per copy
        (500, 3, 600000),
    ],
)
def test_certified_copy_per_page_with_tiers_and_cap(pages, copies, fee):
    assert fee_amount(CERTIFIED_COPY, data={"pages": pages, "copies": copies}) == fee


def test_online_discount_and_reduction():
    residence = {"kind": "flat", "amount": 15000, "online_amount": 7000}
    assert fee_amount(residence, online=False) == 15000
    assert fee_amount(residence, online=True) == 7000
    judicial = {"kind": "flat", "amount": 200000, "reduced": {"field": "reduced_fee", "amount": 100000}}
    assert fee_amount(judicial, data={"reduced_fee": False}) == 200000
    assert fee_amount(judicial, data={"reduced_fee": True}) == 100000


def test_per_copy_and_free():
    assert (
        fee_amount({"kind": "per_copy", "amount": 8000, "copies_field": "copies"}, data={"copies": 3})
        == 24000
    )
    assert fee_amount({"kind": "free"}) == 0
    assert fee_summary({"kind": "free"}) == "Miễn lệ phí"
    assert "1.000 đ/trang" in fee_summary(CERTIFIED_COPY)

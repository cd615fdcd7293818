"""One way to write đồng (documents/money.py), as screens, papers and messages show it."""

from django.template import Context, Template

from documents.money import digits, money
from procedures.fees import fee_summary


def test_digits_are_grouped_by_threes_with_dots():
    assert digits(0) == "0"
    assert digits(999) == "999"
    assert digits(200_000) == "200.000"
    assert digits(1_234_567) == "1.234.567"


def test_screens_write_the_sign_and_papers_the_word():
    assert money(200_000) == "200.000 đ"
    assert money(200_000, spelled_out=True) == "200.000 đồng"


def test_the_screen_filter_and_the_fee_summary_write_it_the_same_way():
    rendered = Template("{% load procedures_tags %}{{ fee|dong }}").render(Context({"fee": 200000}))
    assert rendered == "200.000 đ"
    assert fee_summary({"kind": "flat", "amount": 1_500_000}) == "1.500.000 đ"
    assert fee_summary({"kind": "per_copy", "amount": 2000}) == "2.000 đ mỗi bản"

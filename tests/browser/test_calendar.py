"""A supervisor keeps the working calendar: adds a worked-back Saturday, is told why a weekend day
off is refused, removes the day again — and the deadline clock follows at once."""

import datetime

import pytest

from calendars import clock

from .test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_adds_and_removes_a_compensatory_saturday(page, demo, screenshot):
    saturday = datetime.date(2027, 3, 6)
    sign_in(page, "giamsat.hanoi")
    page.wait_for_url("**/giam-sat/")
    page.get_by_role("link", name="Lịch làm việc").click()
    page.get_by_role("link", name="2027").click()
    assert "Mùng ba Tết Nguyên Đán" in page.locator("main").inner_text()

    page.get_by_label("Ngày", exact=True).fill("2027-03-06")
    page.get_by_label("Ngày nghỉ").check()
    page.get_by_label("Tên ngày").fill("Nghỉ thử")
    page.get_by_role("button", name="Thêm vào lịch").click()
    assert "vốn đã được nghỉ" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Tên ngày").input_value() == "Nghỉ thử"  # nothing typed is lost

    page.get_by_label("Ngày làm việc bù").check()
    page.get_by_label("Tên ngày").fill("Làm bù cho ngày 05/04/2027")
    page.get_by_role("button", name="Thêm vào lịch").click()
    assert "Đã thêm ngày làm việc bù 06/03/2027" in page.locator(".messages").inner_text()
    screenshot(page, "calendar-supervisor")
    assert clock.is_working_day(saturday)

    page.get_by_role("button", name="Bỏ ngày 06/03/2027 khỏi lịch").click()
    assert "Đã bỏ ngày 06/03/2027" in page.locator(".messages").inner_text()
    assert not clock.is_working_day(saturday)

import pytest

from accounts.models import User
from notifications.services import notify
from registry.citizen_id import FEMALE, make_citizen_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_reads_notifications_from_the_header(page, screenshot):
    citizen_id = make_citizen_id(province_code="001", gender=FEMALE, birth_year=1988, serial=5151)
    User.objects.create_user(username=citizen_id, password="mat-khau-thu-2026", citizen_id=citizen_id)
    for number, ahead in (("A014", 2), ("B003", 0)):
        notify(
            key=f"ticket_near_front:{number}",
            kind="ticket_near_front",
            citizen_id=citizen_id,
            context={"ticket_code": number, "centre_name": "Trung tâm PVHCC phường Cầu Giấy", "ahead": ahead},
        )

    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(citizen_id)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Thông báo")
    assert link.locator(".count").inner_text() == "2"
    link.click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Bạn có 2 thông báo mới." in main
    assert "Số B003 sắp đến lượt" in main
    assert "Còn 2 người trước bạn tại Trung tâm PVHCC phường Cầu Giấy" in main
    assert "Bạn là người tiếp theo tại Trung tâm PVHCC phường Cầu Giấy" in main
    screenshot(page, "notifications-inbox")
    page.reload()
    assert page.get_by_role("link", name="Thông báo").locator(".count").count() == 0

import pytest

from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    (DEMO_CITIZEN_ID, "/cong-dan/", "Xin chào, Nguyễn Thị Lan"),
    ("canbo.caugiay", "/mot-cua/", "Quầy một cửa"),
    ("chuyenvien.hotich", "/chuyen-mon/", "Cán bộ chuyên môn"),
    ("giamsat.hanoi", "/giam-sat/", "Giám sát"),
]


def sign_in(page, username):
    page.goto("/")
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.mark.parametrize(("username", "path", "heading"), ROLES)
def test_each_role_signs_in_and_sees_its_home(page, demo, screenshot, username, path, heading):
    sign_in(page, username)
    page.wait_for_url(f"**{path}")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    screenshot(page, f"home-{path.strip('/')}")


def test_citizen_sees_the_new_ward_and_can_switch_to_large_text_and_english(page, demo, screenshot):
    sign_in(page, DEMO_CITIZEN_ID)
    page.wait_for_url("**/cong-dan/")
    assert "nay thuộc Phường Cầu Giấy" in page.locator("main").inner_text()

    size_before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="Chữ lớn").click()
    page.wait_for_url("**/cong-dan/")
    size_after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_after > size_before * 1.15
    screenshot(page, "home-cong-dan-large-text")

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/cong-dan/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Nguyễn Thị Lan"
    # The preference survives signing out and in again: it is kept on the account.
    page.get_by_role("button", name="Sign out").click()
    sign_in_en(page)
    assert page.evaluate("document.documentElement.classList.contains('large-text')")


def sign_in_en(page):
    page.goto("/dang-nhap/")
    page.get_by_label("Citizen ID number or user name").fill(DEMO_CITIZEN_ID)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cong-dan/")


def test_keyboard_users_can_skip_to_the_content(page, db):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    assert skip.evaluate("el => el === document.activeElement")
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

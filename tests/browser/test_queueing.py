import time

import pytest

from notifications.channels import sms
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from queueing.tests.conftest import OPEN_NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRE = "000.00.01.H26"
# Headless Chromium has no voices: record what the board asks the browser to say.
SPEECH_RECORDER = """
window.__spoken = [];
window.speechSynthesis = window.speechSynthesis || {};
window.speechSynthesis.getVoices = () => [];
window.speechSynthesis.speak = (u) => {
  window.__spoken.push(u.text);
  setTimeout(() => u.onend && u.onend(), 0);
};
"""


@pytest.fixture
def opening_hours(time_machine):
    """The live server's clock from 09:00 on a Monday, so the centre is open whenever the test runs.
    It ticks on from there: the browser's waits and the server's sessions see time pass."""
    time_machine.move_to(OPEN_NOW, tick=True)


def test_a_kiosk_ticket_is_called_at_a_counter_and_shown_on_the_board(
    browser, live_server, page, demo, opening_hours, screenshot
):
    # The hall's machine is registered once with the demo kiosk's one-time link (issue 18).
    page.goto(f"/xep-hang/{CENTRE}/kiosk/dang-ky/demo-{CENTRE}/")
    page.get_by_role("button", name="Đăng ký thiết bị này là ki-ốt").click()
    page.wait_for_url(f"**/xep-hang/{CENTRE}/kiosk/")
    # The citizen takes a number at the kiosk (a phone-sized screen here).
    page.goto(f"/xep-hang/{CENTRE}/kiosk/")
    screenshot(page, "queueing-kiosk")
    page.get_by_role("button", name="Hộ tịch").click()
    page.wait_for_url("**/in/")
    assert page.locator("#print-number").inner_text() == "A001"
    assert page.locator(".print-qr svg").count() == 1
    screenshot(page, "queueing-ticket-print")

    # The waiting-room screen, wide.
    board_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 720})
    board = board_context.new_page()
    board.add_init_script(SPEECH_RECORDER)
    # The screen too is registered once, with the demo board's one-time link (issue 18).
    board.goto(f"/xep-hang/{CENTRE}/man-hinh/dang-ky/demo-board-{CENTRE}/")
    board.get_by_role("button", name="Đăng ký thiết bị này là màn hình gọi số").click()
    board.wait_for_url(f"**/xep-hang/{CENTRE}/man-hinh/")
    assert board.locator("[data-code]").count() == 0
    board.get_by_role("button", name="Bật âm thanh").click()

    # The clerk signs in, takes counter 1 and calls the next number.
    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill("canbo.caugiay")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/mot-cua/")
    page.goto("/mot-cua/quay/")
    page.get_by_role("button", name="Vào quầy 1").click()
    page.get_by_role("button", name="Gọi số tiếp theo").click()
    called_at = time.monotonic()
    assert page.get_by_test_id("current").inner_text() == "A001"
    screenshot(page, "queueing-console")

    board.locator('[data-code="A001"][data-counter="1"]').wait_for(timeout=2_000)
    assert time.monotonic() - called_at < 2.0
    screenshot(board, "queueing-board")
    # Polled from here, not with wait_for_function: that evaluates a string inside the page, which
    # the page's CSP (no 'unsafe-eval') rightly refuses.
    deadline = time.monotonic() + 5
    while not board.evaluate("window.__spoken.length") and time.monotonic() < deadline:
        board.wait_for_timeout(100)
    assert board.evaluate("window.__spoken") == ["Mời công dân số A 0 0 1 đến quầy 1"]

    # The connection drops: the board says so, keeps the last numbers, and recovers by itself.
    board.route("**/man-hinh/", lambda route: route.abort())
    board.locator("#board-offline").wait_for(state="visible", timeout=5_000)
    assert board.locator('[data-code="A001"]').count() == 1
    screenshot(board, "queueing-board-offline")
    board.unroute("**/man-hinh/")
    board.locator("#board-offline").wait_for(state="hidden", timeout=5_000)
    board_context.close()


def test_the_citizen_ticket_page_follows_the_queue(page, demo, opening_hours, screenshot):
    # Anonymous: "Gửi mã" sends a one-time code to her phone (issue 18); the server runs in this
    # process, so the local SMS gateway's outbox shows what the phone received.
    page.goto(f"/xep-hang/{CENTRE}/")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Gửi mã").click()
    page.get_by_text("Đã gửi mã xác thực đến số 0912345678").wait_for()
    code = sms.outbox[-1].text.split(": ")[1][:6]
    page.get_by_label("Mã xác thực (6 số, gửi qua SMS)").fill(code)
    page.get_by_label("C — Cư trú").check()
    page.get_by_role("button", name="Lấy số").click()
    page.wait_for_url("**/xep-hang/so/**")
    assert page.locator(".ticket-number").inner_text() == "C001"
    assert page.get_by_test_id("ahead").inner_text() == "0"
    screenshot(page, "queueing-ticket-page")


def test_a_citizen_books_an_appointment_and_gets_a_code_and_qr(page, demo, opening_hours, screenshot):
    # Signed in: the booking is in her account's name (issue 18), no code to type.
    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(DEMO_CITIZEN_ID)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/cong-dan/")
    page.goto(f"/xep-hang/{CENTRE}/dat-lich/")
    page.get_by_role("link", name="B — Chứng thực").click()
    page.get_by_label("10:00").first.check()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Số điện thoại").fill("091234")  # too short: kept, with the reason beside it
    assert DEMO_CITIZEN_ID in page.get_by_test_id("account-citizen-id").inner_text()
    page.get_by_role("button", name="Đặt lịch").click()
    assert "Số điện thoại gồm 9 đến 11 chữ số" in page.locator(".field-error").inner_text()
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Lan"
    screenshot(page, "queueing-book-error")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("10:00").first.check()
    page.get_by_role("button", name="Đặt lịch").click()
    page.wait_for_url("**/xep-hang/lich-hen/**")
    assert len(page.locator("#booking-code").inner_text()) == 8
    # The booking's QR, and (signed in) the check-in QR the kiosk asks for with the code.
    assert page.locator(".print-qr svg").count() == 2
    assert page.get_by_test_id("check-in-qr").locator("svg").count() == 1
    assert "10:00" in page.get_by_test_id("when").inner_text()
    screenshot(page, "queueing-appointment")

"""Every main page loads under the Content-Security-Policy without a single violation."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import staff_enrolment_code_issue
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from procedures.models import Dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRE = "000.00.01.H26"
# Recorded in the page before any of its own code runs (Playwright's init scripts are not
# subject to the page's CSP), so a violation anywhere on the page is caught.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(LISTEN)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)

    def visit(path):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp") + console
        console.clear()
        return found

    return visit


def sign_in(page, username):
    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


PUBLIC = [
    "/",
    "/dang-nhap/",
    "/thu-tuc/",
    "/thu-tuc/xac-nhan-tinh-trang-hon-nhan/",
    "/tra-cuu-ho-so/",
    f"/xep-hang/{CENTRE}/",
    f"/xep-hang/{CENTRE}/kiosk/",
    f"/xep-hang/{CENTRE}/man-hinh/",
    f"/xep-hang/{CENTRE}/dat-lich/?dich-vu=A",
    "/api/docs/",
]


def test_public_pages_raise_no_csp_violation(page, demo, watched, screenshot):
    # The board shows its calls (and its scripts) only on a registered screen (issue 18).
    page.goto(f"/xep-hang/{CENTRE}/man-hinh/dang-ky/demo-board-{CENTRE}/")
    page.get_by_role("button", name="Đăng ký thiết bị này là màn hình gọi số").click()
    page.wait_for_url(f"**/xep-hang/{CENTRE}/man-hinh/")
    violations = {path: found for path in PUBLIC if (found := watched(path))}
    assert violations == {}
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info")  # the docs page really ran its scripts
    screenshot(page, "api-docs")


def test_citizen_pages_and_the_wizard_raise_no_csp_violation(page, demo, watched):
    sign_in(page, DEMO_CITIZEN_ID)
    assert watched("/cong-dan/") == []
    page.goto("/thu-tuc/xac-nhan-tinh-trang-hon-nhan/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    page.wait_for_load_state()
    assert watched(page.url) == []  # the wizard, with its progress bar and show-if script
    page.get_by_label("Để đăng ký kết hôn").check()  # eforms.js reveals the partner's name
    assert page.evaluate("window.__csp") == []
    page.get_by_label("Mua bán, giao dịch tài sản").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Tôi cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    code = Dossier.objects.get().code
    for path in ("/ho-so-cua-toi/", f"/ho-so/{code}/", f"/ho-so/{code}/giay-tiep-nhan/"):
        assert watched(path) == [], path


def test_staff_pages_and_2fa_enrolment_raise_no_csp_violation(page, demo, watched, settings, screenshot):
    settings.ACCOUNTS_STAFF_2FA_REQUIRED = True
    sign_in(page, "canbo.caugiay")
    assert "/xac-thuc-hai-lop/dang-ky/" in page.url
    assert watched(page.url) == []
    # The QR code only after the enrolment code her administrator issued (manage.py staff_enrolment_code).
    code = staff_enrolment_code_issue(user=User.objects.get(username="canbo.caugiay"))
    page.get_by_label("Mã đăng ký do quản trị viên cấp").fill(code)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    screenshot(page, "otp-enrol")
    settings.ACCOUNTS_STAFF_2FA_REQUIRED = False
    for path in ("/mot-cua/", "/mot-cua/quay/", "/mot-cua/tiep-nhan/", "/ma-truy-cap/"):
        assert watched(path) == [], path
    page.get_by_label("Tên ki-ốt").fill("Ki-ốt sảnh A")
    page.get_by_role("button", name="Tạo mã").click()
    expect(page.locator("#new-key")).to_be_visible()
    assert page.evaluate("window.__csp") == []
    screenshot(page, "kiosk-tokens")

"""Citizen effort: screens visited and fields typed to file each of the top-5 procedures.

Run: .venv/bin/python bench/effort.py
The demo citizen signs in (Chromium, phone viewport) and files each procedure under gunicorn on
PostgreSQL. A screen is one page of the e-form, the check-your-answers page included (the
confirmation page after filing is not counted). A typed field is a text, number or date input
whose value had to change; a prefilled value left alone, a choice clicked or a file attached is
not typed. The answers below are what a citizen would have to supply that the state does not know.
"""

from __future__ import annotations

import os
import re

from _harness import bench_env, fresh_database, gunicorn, sized

# The demo citizen (portal.demo), named here: importing it would cost this process a Django start.
CITIZEN, PASSWORD = "001188123456", "motcua-demo-2026"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256
# Per procedure: (field name, action, value). Actions: type, click (label text), select (option label), file.
SCENARIOS = {
    "dang-ky-khai-sinh": [
        ("child_name", "type", "Nguyễn Minh An"),
        ("child_birth_date", "type", "2026-11-20"),
        ("child_gender", "click", "Nam"),
        ("birth_place", "type", "Bệnh viện Phụ sản Hà Nội"),
        ("relation", "click", "Mẹ"),
        ("giay-chung-sinh", "file", "giay-chung-sinh.png"),
    ],
    "xac-nhan-tinh-trang-hon-nhan": [("purpose", "click", "Vay vốn ngân hàng")],
    "chung-thuc-ban-sao-tu-ban-chinh": [
        ("document_name", "type", "Bằng tốt nghiệp đại học"),
        ("pages", "type", "2"),
        ("ban-chinh", "file", "bang.png"),
    ],
    "dang-ky-tam-tru": [
        ("stay_address__street", "type", "Số 5 ngõ 12 Phố Đội Cấn"),
        ("stay_address__province", "select", "Thành phố Hà Nội"),
        ("stay_address__ward", "select", "Phường Ba Đình"),
        ("stay_from", "type", "2026-12-01"),
        ("stay_until", "type", "2027-06-01"),
    ],
    "cap-phieu-ly-lich-tu-phap": [
        ("certificate_kind", "click", "Phiếu số 1"),
        ("purpose", "type", "Bổ sung hồ sơ xin việc"),
    ],
}
# How many of them to file (smoke runs: the first two, a birth registration with typing, choices and
# a file, and a marital status confirmation that is all prefilled).
PROCEDURES = sized("BENCH_PROCEDURES", len(SCENARIOS), smoke=2)
WORKERS = sized("BENCH_WORKERS", 2, smoke=1)


def file_one(page, slug: str, answers) -> tuple[int, int]:
    page.goto(f"/thu-tuc/{slug}/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    screens = typed = 0
    done: set[str] = set()
    while "/da-nop/" not in page.url:
        page.wait_for_load_state()
        screens += 1
        if screens > 10:
            raise RuntimeError(f"{slug}: stuck on {page.url}")
        for name, action, value in answers:
            box = page.locator(f'[name$="-{name}"]')
            if name in done or box.count() == 0:
                continue
            done.add(name)
            if action == "type":
                if box.input_value() != value:
                    box.fill(value)
                    typed += 1
            elif action == "click":
                page.locator(f'[name$="-{name}"][value]').locator("xpath=..").filter(
                    has_text=re.compile(f"^\\s*{re.escape(value)}\\s*$")
                ).first.click()
            elif action == "select" and name.endswith("__province"):
                with page.expect_response("**/thu-tuc/phuong-xa/**"):
                    box.select_option(label=value)
            elif action == "select":
                box.select_option(label=value)
            elif action == "file":
                box.set_input_files(files=[{"name": value, "mimeType": "image/png", "buffer": PNG}])
        declaration = page.locator('[name$="-declaration"]')
        if declaration.count():
            declaration.check()
            page.get_by_role("button", name="Nộp hồ sơ").click()
        else:
            page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_load_state()
        if page.locator(".error-summary").count():
            raise RuntimeError(f"{slug}: {page.locator('.error-summary').inner_text()}")
    return screens, typed


def chromium(playwright):
    return playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        headless=True,
        args=["--no-sandbox", "--disable-gpu"],
    )


def main() -> None:
    from playwright.sync_api import sync_playwright

    env = bench_env()
    fresh_database(env)
    rows = {}
    launched = {}  # Chromium starts while gunicorn does
    with (
        sync_playwright() as playwright,
        gunicorn(
            env, workers=WORKERS, threads=2, meanwhile=lambda: launched.update(browser=chromium(playwright))
        ) as host,
    ):
        browser = launched["browser"]
        context = browser.new_context(
            base_url=f"http://{host}", viewport={"width": 390, "height": 844}, locale="vi-VN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/dang-nhap/")
        page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(CITIZEN)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        for slug, answers in list(SCENARIOS.items())[:PROCEDURES]:
            rows[slug] = file_one(page, slug, answers)
        browser.close()
    print(f"cores={os.cpu_count()} citizen={CITIZEN}")
    print(f"{'procedure':34} screens typed_fields")
    for slug, (screens, typed) in rows.items():
        print(f"{slug:34} {screens:7d} {typed:12d}")
    print(
        f"max_screens={max(s for s, _ in rows.values())} max_typed_fields={max(t for _, t in rows.values())}"
    )


if __name__ == "__main__":
    main()

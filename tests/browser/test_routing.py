"""An officer works a dossier from the inbox on a phone; the citizen answers a supplement request."""

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_CITIZEN_ID
from routing import handoffs, services
from routing.models import OutboxMessage
from routing.tests.conftest import file_dossier

from .test_sign_in import sign_in

pytestmark = pytest.mark.browser


def _drain():
    for pk in OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True):
        handoffs.message_process(message_id=pk)


def test_officer_asks_for_a_supplement_and_the_citizen_answers(page, demo, screenshot):
    dossier = file_dossier(code="1.004873", channel="counter")
    _drain()
    sign_in(page, "chuyenvien.hotich")
    page.goto("/chuyen-mon/ho-so/")
    expect(page.get_by_text(dossier.code)).to_be_visible()
    screenshot(page, "routing-inbox")
    page.get_by_role("link", name="Cấp Giấy xác nhận tình trạng hôn nhân").first.click()
    page.get_by_role("button", name="Nhận xử lý").click()
    page.get_by_text("Yêu cầu công dân bổ sung (mẫu 02)").click()
    page.get_by_label("Giấy tờ còn thiếu").fill("Bản sao quyết định ly hôn\nGiấy xác nhận nơi cư trú cũ")
    page.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    expect(page.get_by_text("Đang chờ công dân bổ sung")).to_be_visible()
    screenshot(page, "routing-step")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, DEMO_CITIZEN_ID)
    page.goto(f"/ho-so/{dossier.code}/")
    expect(page.get_by_text("Bản sao quyết định ly hôn", exact=True)).to_be_visible()
    screenshot(page, "routing-citizen-dossier")
    page.get_by_role("link", name="Gửi bổ sung").click()
    page.get_by_label("Ghi chú cho cán bộ").fill("Tôi gửi bản sao quyết định ly hôn.")
    screenshot(page, "routing-supplement-answer")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_text("Thời hạn giải quyết được tính tiếp")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.status == "processing"


def test_supervisor_retries_a_dead_letter_and_drills_down(page, demo, screenshot, settings):
    from routing.models import RoutingRule

    settings.ROUTING_MAX_ATTEMPTS = 1
    rules = list(RoutingRule.objects.values())
    RoutingRule.objects.all().delete()  # a province forgot a rule: the hand-off cannot find an agency
    dossier = file_dossier(code="2.000488", channel="counter")
    message = OutboxMessage.objects.get(dossier=dossier)
    handoffs.message_failed(message_id=message.pk, error=services.NoRoute("no agency for police"))
    for rule in rules:
        RoutingRule.objects.create(**rule)
    sign_in(page, "giamsat.hanoi")
    page.get_by_role("link", name="Chuyển tiếp lỗi").click()
    expect(page.get_by_text("no agency for police")).to_be_visible()
    screenshot(page, "routing-dead-letters")
    page.get_by_role("button", name="Thử lại").click()
    expect(page.get_by_text("Không có lần chuyển tiếp nào bị lỗi")).to_be_visible()
    _drain()
    page.goto(f"/giam-sat/ho-so/{dossier.code}/")
    expect(page.locator(".steps").get_by_text("Xác minh thông tin án tích")).to_be_visible()
    screenshot(page, "routing-drill-down")

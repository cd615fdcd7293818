"""An officer works a dossier from the inbox on a phone; the citizen answers a supplement request."""

import pytest

from portal.demo import DEMO_CITIZEN_ID
from routing import services
from routing.models import OutboxMessage
from routing.tests.conftest import file_dossier

from .test_sign_in import sign_in

pytestmark = pytest.mark.browser


def _drain():
    for pk in OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True):
        services.message_process(message_id=pk)


def test_officer_asks_for_a_supplement_and_the_citizen_answers(page, demo, screenshot):
    dossier = file_dossier(code="1.004873", channel="counter")
    _drain()
    sign_in(page, "chuyenvien.hotich")
    page.goto("/chuyen-mon/ho-so/")
    assert page.get_by_text(dossier.code).is_visible()
    screenshot(page, "routing-inbox")
    page.get_by_role("link", name="Cấp Giấy xác nhận tình trạng hôn nhân").first.click()
    page.get_by_role("button", name="Nhận xử lý").click()
    page.get_by_text("Yêu cầu công dân bổ sung (mẫu 02)").click()
    page.get_by_label("Giấy tờ còn thiếu").fill("Bản sao quyết định ly hôn\nGiấy xác nhận nơi cư trú cũ")
    page.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    assert page.get_by_text("Đang chờ công dân bổ sung").is_visible()
    screenshot(page, "routing-step")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, DEMO_CITIZEN_ID)
    page.goto(f"/ho-so/{dossier.code}/")
    assert page.get_by_text("Bản sao quyết định ly hôn", exact=True).is_visible()
    screenshot(page, "routing-citizen-dossier")
    page.get_by_role("link", name="Gửi bổ sung").click()
    page.get_by_label("Ghi chú cho cán bộ").fill("Tôi gửi bản sao quyết định ly hôn.")
    screenshot(page, "routing-supplement-answer")
    page.get_by_role("button", name="Gửi bổ sung").click()
    assert page.get_by_text("Thời hạn giải quyết được tính tiếp").is_visible()
    dossier.refresh_from_db()
    assert dossier.status == "processing"

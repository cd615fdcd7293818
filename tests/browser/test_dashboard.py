import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from agencies.models import Centre
from dashboard.services import figures_rebuild
from portal.demo import DEMO_PASSWORD
from procedures.models import Channel, Dossier, DossierEvent, HandBack, Procedure
from routing.models import Transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username):
    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _dossier(centre, number, *, status, on_time=None, settled_days_ago=None):
    procedure = Procedure.objects.get(code="2.000815")
    received = timezone.now() - datetime.timedelta(days=10)
    settled = (
        timezone.now() - datetime.timedelta(days=settled_days_ago) if settled_days_ago is not None else None
    )
    dossier = Dossier.objects.create(
        code=f"{centre.code}-261101-{number:04d}",
        procedure=procedure,
        form=procedure.current_form(),
        centre=centre,
        channel=Channel.COUNTER,
        status=status,
        applicant_citizen_id="001188123456",
        applicant_name="Nguyễn Thị Lan",
        submitted_by=User.objects.get(username="canbo.caugiay"),
        data={},
        received_at=received,
        due_date=(received + datetime.timedelta(days=1)).date(),
        due_at=received + datetime.timedelta(days=1),
        settled_at=settled,
        on_time=on_time,
    )
    DossierEvent.objects.create(
        dossier=dossier, kind="submitted", status="received", at=received, note="Tại quầy"
    )
    if settled:
        DossierEvent.objects.create(dossier=dossier, kind="status", status="done", at=settled, note="")
        # The hand-overs routing records, as its audit trail shows them.
        Transition.objects.create(
            dossier=dossier,
            at=settled,
            actor_name="Lê Minh Tuấn",
            from_state="accepted",
            to_state="done",
            from_unit="Bộ phận Tư pháp - Hộ tịch",
            to_unit="Trung tâm Phục vụ hành chính công",
            handover=True,
            step_on_time=bool(on_time),
            note="Chuyên viên ký kết quả",
            key=f"test-done:{dossier.code}",
        )
    return dossier


def test_supervisor_drills_down_from_a_centres_on_time_rate_to_a_late_dossier(page, demo, screenshot):
    centre = Centre.objects.get(code="000.00.01.H26")
    for number in range(1, 4):
        _dossier(centre, number, status=Dossier.Status.RETURNED, on_time=True, settled_days_ago=3)
    late = _dossier(centre, 9, status=Dossier.Status.DONE, on_time=False, settled_days_ago=2)
    figures_rebuild()

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, "giamsat.hanoi")
    page.goto("/giam-sat/tong-quan/")
    assert page.locator("[data-figure=on-time-rate]").inner_text() == "75,0 %"
    screenshot(page, "dashboard-overview")
    page.locator(f"[data-rate='centre-{centre.pk}']").click()
    page.wait_for_url("**/giam-sat/ho-so/**")
    expect(page.get_by_role("heading", name="Đã giải quyết")).to_be_visible()
    screenshot(page, "dashboard-drill-down")
    page.get_by_role("link", name=late.code).click()
    page.wait_for_url(f"**/giam-sat/ho-so/{late.code}/")
    assert page.locator("dd .late").is_visible()  # "trễ hạn" beside the settling time
    expect(page.get_by_text("Chuyên viên ký kết quả")).to_be_visible()
    screenshot(page, "dashboard-late-dossier-history")


def test_clerk_hands_back_a_result_and_the_citizen_rates_on_the_tablet(page, demo, screenshot):
    centre = Centre.objects.get(code="000.00.01.H26")
    dossier = _dossier(centre, 5, status=Dossier.Status.DONE, on_time=True, settled_days_ago=1)

    _sign_in(page, "canbo.caugiay")
    page.goto("/mot-cua/")
    page.get_by_role("link", name="Bàn làm việc").click()
    page.wait_for_url("**/mot-cua/ho-so/")
    page.get_by_label("Mã hồ sơ hoặc số định danh của công dân").fill(dossier.code[-11:])
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(f'[id="found-{dossier.code}"]')).to_be_visible()
    screenshot(page, "workspace-search")
    card = page.locator(f'[id="ready-{dossier.code}"]')
    card.get_by_label("Người nhận (để trống nếu là người nộp)").fill("Nguyễn Văn Nam")
    card.get_by_role("button", name="Trả kết quả").click()
    page.wait_for_url("**/mot-cua/ho-so/?da_tra=*")
    expect(page.get_by_text(f"Đã trả kết quả hồ sơ {dossier.code}.")).to_be_visible()
    screenshot(page, "workspace-handed-back")
    hand_back = HandBack.objects.get(dossier=dossier)
    assert hand_back.by.username == "canbo.caugiay"
    assert hand_back.receiver_name == "Nguyễn Văn Nam"

    page.get_by_role("link", name="Mời công dân đánh giá trên máy tính bảng").click()
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.get_by_label("Hài lòng", exact=True).check()
    screenshot(page, "satisfaction-tablet")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/mot-cua/ho-so/?da_danh_gia=*")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED
    assert dossier.rating.total == 18
    assert dossier.rating.channel == "tablet"

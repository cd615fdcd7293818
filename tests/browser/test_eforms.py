import re

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from procedures.models import Dossier
from registry.models import PersonRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^000\.00\.0\d\.H26-\d{6}-\d{4}$")


def sign_in(page, username):
    page.goto("/dang-nhap/")
    page.get_by_label("Số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def field(page, name):
    return page.locator(f'[name$="-{name}"]')


def test_citizen_files_a_marital_status_confirmation_prefilled(page, demo, screenshot):
    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/thu-tuc/?q=tinh trang hon nhan")
    page.get_by_role("link", name="Cấp Giấy xác nhận tình trạng hôn nhân").click()
    screenshot(page, "eforms-procedure-detail")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    expect(page.get_by_text("Bước 1/2")).to_be_visible()
    assert field(page, "applicant__full_name").input_value() == "Nguyễn Thị Lan"
    assert "nay thuộc Phường Cầu Giấy" in page.locator("main").inner_text()
    page.get_by_label("Mua bán, giao dịch tài sản").check()
    screenshot(page, "eforms-marital-step1")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 2/2")).to_be_visible()
    page.get_by_label(re.compile("Tôi cam đoan")).check()
    screenshot(page, "eforms-marital-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    code = page.locator("#dossier-code").inner_text()
    assert CODE.match(code)
    dossier = Dossier.objects.get(code=code)
    assert page.locator("#due-date").inner_text() == dossier.due_date.strftime("%d/%m/%Y")
    assert dossier.data["purpose"] == "giao-dich"
    screenshot(page, "eforms-marital-filed")


def test_a_citizen_cannot_file_under_another_name_through_the_page(page, demo, screenshot):
    """The identity fields are the registry's: shown read-only, and a name forced into the form
    (the disabled attribute removed in the browser's tools) does not reach the dossier (issue 18)."""
    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/thu-tuc/xac-nhan-tinh-trang-hon-nhan/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    expect(page.get_by_text("Bước 1/2")).to_be_visible()
    name = field(page, "applicant__full_name")
    expect(name).to_be_disabled()
    expect(page.get_by_text("Theo Cơ sở dữ liệu quốc gia về dân cư").first).to_be_visible()
    screenshot(page, "eforms-identity-read-only")
    for part in ("full_name", "birth_date", "citizen_id"):
        field(page, f"applicant__{part}").evaluate("input => input.removeAttribute('disabled')")
    name.fill("Trần Văn Giả Mạo")
    field(page, "applicant__birth_date").fill("1970-01-01")
    page.get_by_label("Mua bán, giao dịch tài sản").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 2/2")).to_be_visible()
    page.get_by_label(re.compile("Tôi cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    dossier = Dossier.objects.get(code=page.locator("#dossier-code").inner_text())
    assert dossier.applicant_name == "Nguyễn Thị Lan"
    assert dossier.data["applicant__full_name"] == "Nguyễn Thị Lan"
    assert dossier.data["applicant__birth_date"] != "1970-01-01"
    page.goto(f"/ho-so/{dossier.code}/giay-tiep-nhan/")
    assert "Giả Mạo" not in page.locator("main").inner_text()


def test_draft_resumes_after_logout_and_login(page, demo, screenshot):
    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/thu-tuc/dang-ky-tam-tru/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    field(page, "stay_address__street").fill("Số 5 ngõ 12 Phố Đội Cấn")
    with page.expect_response("**/thu-tuc/phuong-xa/**"):  # htmx narrows the wards to the province
        field(page, "stay_address__province").select_option(label="Thành phố Hà Nội")
    assert field(page, "stay_address__ward").locator("optgroup").count() == 0
    field(page, "stay_address__ward").select_option(label="Phường Ba Đình")
    field(page, "stay_from").fill("2026-12-01")
    field(page, "stay_until").fill("2027-06-01")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 2/2")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/ho-so-cua-toi/")
    page.get_by_role("link", name="Đăng ký tạm trú").click()
    expect(page.get_by_text("Bước 2/2")).to_be_visible()
    assert "Số 5 ngõ 12 Phố Đội Cấn" in page.locator("main").inner_text()
    screenshot(page, "eforms-draft-resumed")


def test_clerk_files_a_birth_registration_for_a_walk_in_citizen(page, demo, screenshot):
    mother = (
        PersonRecord.objects.filter(gender="female", birth_date__year__gte=1985)
        .exclude(citizen_id=DEMO_CITIZEN_ID)
        .first()
    )
    sign_in(page, "canbo.caugiay")
    page.goto("/mot-cua/tiep-nhan/")
    page.get_by_label("Số định danh cá nhân của công dân").fill(mother.citizen_id)
    page.get_by_label("Thủ tục").select_option(label="Đăng ký khai sinh")
    page.get_by_label("Công dân đã xuất trình giấy tờ và đồng ý cho tra cứu").check()
    screenshot(page, "eforms-counter-start")
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
    field(page, "child_name").fill("Nguyễn Minh An")
    field(page, "child_birth_date").fill("2026-11-20")
    page.get_by_label("Nam", exact=True).check()
    field(page, "birth_place").fill("Bệnh viện Phụ sản Hà Nội")
    page.get_by_label("Mẹ", exact=True).check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 2/3")).to_be_visible()
    assert field(page, "applicant__full_name").input_value() == mother.full_name
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label(re.compile("Tôi cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    dossier = Dossier.objects.get(code=page.locator("#dossier-code").inner_text())
    assert (dossier.channel, dossier.applicant_citizen_id) == ("counter", mother.citizen_id)
    assert dossier.data["child_name"] == "Nguyễn Minh An"
    screenshot(page, "eforms-counter-filed")


def test_a_rejected_upload_keeps_every_typed_field(page, demo, screenshot):
    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    field(page, "document_name").fill("Bằng tốt nghiệp đại học")
    field(page, "pages").fill("4")
    field(page, "copies").fill("3")
    field(page, "ban-chinh").set_input_files(
        files=[{"name": "bang.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}]
    )
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 1/2")).to_be_visible()
    assert "không phải PDF, JPEG hoặc PNG" in page.locator(".error-summary").inner_text()
    assert field(page, "document_name").input_value() == "Bằng tốt nghiệp đại học"
    assert field(page, "pages").input_value() == "4"
    assert field(page, "copies").input_value() == "3"
    assert field(page, "applicant__full_name").input_value() == "Nguyễn Thị Lan"
    screenshot(page, "eforms-upload-rejected")


def test_a_result_from_the_wallet_is_filed_without_uploading(page, demo, screenshot, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import User
    from agencies.models import Agency, Centre
    from documents.models import Document
    from procedures.models import Procedure
    from procedures.services import dossier_submit

    settings.MEDIA_ROOT = tmp_path
    earlier = dossier_submit(
        form=Procedure.objects.get(slug="xac-nhan-tinh-trang-hon-nhan").current_form(),
        centre=Centre.objects.get(code="000.00.01.H26"),
        channel="online",
        applicant_citizen_id=DEMO_CITIZEN_ID,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=User.objects.get(username=DEMO_CITIZEN_ID),
        data={},
    )
    result = Document(
        code="KQBROWSER2",
        key=f"result:{earlier.code}",
        kind=Document.Kind.MARITAL_STATUS,
        number=f"{earlier.code}/KQ",
        issuer=Agency.objects.filter(kind="civil_status").first(),
        subject_ref=earlier.code,
        status=Document.Status.ISSUED,
        issued_at=timezone.now(),
    )
    result.file.save("KQBROWSER2.pdf", ContentFile(b"%PDF-1.7 signed result"), save=False)
    result.save()

    sign_in(page, DEMO_CITIZEN_ID)
    page.goto("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    field(page, "document_name").fill("Giấy xác nhận tình trạng hôn nhân")
    field(page, "pages").fill("1")
    choice = page.get_by_label(re.compile("Giấy xác nhận tình trạng hôn nhân số .* kết quả đã cấp"))
    expect(choice).to_be_visible()
    choice.check()
    screenshot(page, "eforms-wallet-result")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label(re.compile("Tôi cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    filed = Dossier.objects.get(code=page.locator("#dossier-code").inner_text())
    assert filed.attachments.get().file.name == result.file.name

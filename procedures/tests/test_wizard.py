import pytest
from django.urls import reverse

from accounts.models import User
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier, Draft

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def citizen(demo, client):
    user = User.objects.get(username=DEMO_CITIZEN_ID)
    client.force_login(user)
    return user


def _start(client, slug, **data):
    response = client.post(reverse("procedures:start", args=[slug]), data)
    assert response.status_code == 302
    return response["Location"]


def _management(step):
    return {"dossier_wizard-current_step": step}


def test_marital_status_prefilled_and_filed(citizen, client):
    url = _start(client, "xac-nhan-tinh-trang-hon-nhan")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bước 1/2" in html
    assert "Nguyễn Thị Lan" in html
    assert "Điền sẵn" in html
    # The pre-merger address is shown with its new ward and why.
    assert "Phường Yên Hòa (Quận Cầu Giấy cũ) nay thuộc Phường Cầu Giấy" in html
    form = page.context["wizard"]["form"]
    prefix = form.prefix
    data = {f"{prefix}-{name}": value for name, value in form.initial.items()}
    data[f"{prefix}-purpose"] = "vay-von"
    data[f"{prefix}-applicant__birth_date"] = form.initial["applicant__birth_date"].isoformat()
    data[page.context["wizard"]["management_form"].prefix + "-current_step"] = "nguoi-yeu-cau"
    page = client.post(url, data)
    assert page.status_code == 200, page.content
    assert "Bước 2/2" in page.content.decode(), page.context["wizard"]["form"].errors
    review = page.context["wizard"]["form"]
    mgmt = page.context["wizard"]["management_form"].prefix + "-current_step"
    page = client.post(
        url,
        {
            mgmt: "kiem-tra",
            f"{review.prefix}-centre": review.initial["centre"],
            f"{review.prefix}-declaration": "on",
        },
    )
    assert page.status_code == 302, page.context["wizard"]["form"].errors
    dossier = Dossier.objects.get()
    assert page["Location"] == reverse("procedures:dossier_filed", args=[dossier.code])
    assert dossier.applicant_citizen_id == DEMO_CITIZEN_ID
    assert dossier.data["purpose"] == "vay-von"
    assert dossier.data["applicant__full_name"] == "Nguyễn Thị Lan"
    assert dossier.form.procedure.slug == "xac-nhan-tinh-trang-hon-nhan"
    assert dossier.channel == "online"
    assert not Draft.objects.exists()
    filed = client.get(page["Location"]).content.decode()
    assert dossier.code in filed
    assert dossier.due_date.strftime("%d/%m/%Y") in filed

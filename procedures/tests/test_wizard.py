import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from divisions.models import Ward
from portal.demo import DEMO_CITIZEN_ID
from procedures.drafts import draft_file_storage
from procedures.models import Dossier, Draft
from registry.models import PersonRecord

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
    # The identity fields show the registry's facts and take no input: a changed name is ignored.
    assert form.fields["applicant__full_name"].disabled
    data[f"{prefix}-applicant__full_name"] = "Kẻ Giả Mạo"
    data[f"{prefix}-applicant__birth_date"] = "1970-01-01"
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
    assert dossier.applicant_name == "Nguyễn Thị Lan"
    assert dossier.data["applicant__birth_date"] == form.initial["applicant__birth_date"].isoformat()
    assert dossier.form.procedure.slug == "xac-nhan-tinh-trang-hon-nhan"
    assert dossier.channel == "online"
    assert not Draft.objects.exists()
    filed = client.get(page["Location"]).content.decode()
    assert dossier.code in filed
    assert dossier.due_date.strftime("%d/%m/%Y") in filed
    # Submit pressed again (a double tap, Back then Submit): the same receipt, no second dossier.
    again = client.post(url, {mgmt: "kiem-tra", f"{review.prefix}-declaration": "on"})
    assert again.status_code == 302
    assert again["Location"] == reverse("procedures:dossier_filed", args=[dossier.code])
    assert Dossier.objects.count() == 1


def _wizard_post(client, url, page, values, *, step=None):
    """Post one step: the form's current initial values, overridden by `values`."""
    wizard = page.context["wizard"]
    form = wizard["form"]
    data = {}
    for name, value in form.initial.items():
        data[f"{form.prefix}-{name}"] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update({f"{form.prefix}-{k}": v for k, v in values.items()})
    data[f"{wizard['management_form'].prefix}-current_step"] = step or wizard["steps"].current
    return client.post(url, data)


def _address(name="stay_address", ward="Phường Ba Đình"):
    ward = Ward.objects.get(name=ward)
    return {
        f"{name}__street": "Số 5 ngõ 12 Phố Đội Cấn",
        f"{name}__province": ward.province_id,
        f"{name}__ward": ward.pk,
    }


def test_draft_resumes_after_logout_and_login(citizen, client):
    url = _start(client, "dang-ky-tam-tru")
    page = client.get(url)
    page = _wizard_post(
        client, url, page, {"stay_from": "2026-12-01", "stay_until": "2027-06-01", **_address()}
    )
    assert "Bước 2/2" in page.content.decode(), page.context["wizard"]["form"].errors
    client.logout()
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(citizen)
    mine = client.get(reverse("procedures:my_dossiers")).content.decode()
    assert url in mine
    # Starting the same procedure again resumes the same draft, on the step where it was left.
    assert _start(client, "dang-ky-tam-tru") == url
    page = client.get(url)
    assert "Bước 2/2" in page.content.decode()
    back = client.post(
        url,
        {
            "wizard_goto_step": "noi-tam-tru",
            f"{page.context['wizard']['management_form'].prefix}-current_step": "kiem-tra",
        },
    )
    form = back.context["wizard"]["form"]
    assert form["stay_from"].value() == "2026-12-01"


def test_invalid_step_keeps_typed_values_and_explains(citizen, client):
    url = _start(client, "dang-ky-tam-tru")
    page = client.get(url)
    page = _wizard_post(
        client,
        url,
        page,
        {"stay_from": "2026-12-10", "stay_until": "2026-12-01", "stay_address__street": "Số 5 ngõ 12"},
    )
    html = page.content.decode()
    assert "Bước 1/2" in html
    assert "Ngày kết thúc tạm trú phải sau ngày bắt đầu." in html
    assert 'aria-invalid="true" aria-describedby="id_noi-tam-tru-stay_until-error"' in html
    assert 'id="id_noi-tam-tru-stay_until-error"' in html
    assert "Có thông tin cần sửa" in html
    assert 'value="Số 5 ngõ 12"' in html
    # What was typed is kept server-side too, even though it did not validate.
    client.logout()
    client.force_login(citizen)
    assert 'value="Số 5 ngõ 12"' in client.get(url).content.decode()


def test_rejected_upload_keeps_every_typed_field(citizen, client, settings):
    url = _start(client, "chung-thuc-ban-sao-tu-ban-chinh")
    page = client.get(url)
    fake = SimpleUploadedFile("bang.pdf", b"MZ this is not a PDF", content_type="application/pdf")
    page = _wizard_post(
        client,
        url,
        page,
        {"document_name": "Bằng tốt nghiệp", "pages": "3", "copies": "2", "ban-chinh": fake},
    )
    html = page.content.decode()
    assert "không phải PDF, JPEG hoặc PNG" in html
    assert 'value="Bằng tốt nghiệp"' in html
    assert 'value="3"' in html
    settings.PROCEDURES_UPLOAD_MAX_BYTES = 50
    big = SimpleUploadedFile("bang.png", PNG + b"\x00" * 100, content_type="image/png")
    page = _wizard_post(
        client, url, page, {"document_name": "Bằng tốt nghiệp", "pages": "3", "ban-chinh": big}
    )
    assert "vượt giới hạn" in page.content.decode()
    settings.PROCEDURES_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    good = SimpleUploadedFile("bang.txt", PNG, content_type="text/plain")  # the name lies; the bytes do not
    page = _wizard_post(
        client,
        url,
        page,
        {"document_name": "Bằng tốt nghiệp", "pages": "3", "copies": "2", "ban-chinh": good},
    )
    assert "Bước 2/2" in page.content.decode()
    review = page.context["wizard"]["form"]
    page = _wizard_post(client, url, page, {"declaration": "on", "centre": review.initial["centre"]})
    dossier = Dossier.objects.get()
    attachment = dossier.attachments.get()
    assert (attachment.component, attachment.content_type) == ("ban-chinh", "image/png")
    assert dossier.fee == 5000 * 2


def test_conditional_field_required_only_when_shown(citizen, client):
    url = _start(client, "xac-nhan-tinh-trang-hon-nhan")
    page = client.get(url)
    page = _wizard_post(client, url, page, {"purpose": "ket-hon"})
    assert page.context["wizard"]["form"].errors["partner_name"]
    page = _wizard_post(client, url, page, {"purpose": "vay-von", "partner_name": "Không cần"})
    assert "Bước 2/2" in page.content.decode()
    # A hidden field's value is dropped, not filed.
    assert "Không cần" not in page.content.decode()


def test_filing_for_her_child_under_18_only(demo, client):
    child = PersonRecord.objects.filter(relation_to_head="child").order_by("-birth_date").first()
    head = PersonRecord.objects.get(household_code=child.household_code, relation_to_head="head")
    stranger = PersonRecord.objects.exclude(household_code=head.household_code).first()
    user = User.objects.create_user(username=head.citizen_id, password="x", citizen_id=head.citizen_id)
    client.force_login(user)
    slug = "cap-phieu-ly-lich-tu-phap"
    detail = client.get(reverse("procedures:detail", args=[slug])).content.decode()
    assert child.full_name in detail
    assert stranger.citizen_id not in detail
    url = _start(client, slug, **{"for": child.citizen_id})
    page = client.get(url)
    # The form is prefilled with the member's data, not the filer's.
    assert page.context["wizard"]["form"].initial["applicant__citizen_id"] == child.citizen_id
    assert Draft.objects.get().applicant_citizen_id == child.citizen_id
    response = client.post(reverse("procedures:start", args=[slug]), {"for": stranger.citizen_id})
    assert response.status_code == 403


def test_a_draft_is_only_its_owners(citizen, client, django_user_model):
    url = _start(client, "dang-ky-khai-sinh")
    client.force_login(django_user_model.objects.create_user(username="khac", password="x"))
    assert client.get(url).status_code == 404


def test_clerk_files_for_a_walk_in_citizen(demo, client):
    clerk = User.objects.get(username="canbo.caugiay")
    client.force_login(clerk)
    walk_in = PersonRecord.objects.exclude(citizen_id=DEMO_CITIZEN_ID).first()
    response = client.post(
        reverse("procedures:assisted_start"),
        {"citizen_id": "123", "procedure": "dang-ky-khai-sinh", "channel": "counter"},
    )
    assert "12 chữ số" in response.content.decode() or response.context["form"].errors["citizen_id"]
    response = client.post(
        reverse("procedures:assisted_start"),
        {
            "citizen_id": walk_in.citizen_id,
            "procedure": "dang-ky-khai-sinh",
            "channel": "counter",
            "consent": "on",
        },
    )
    url = response["Location"]
    page = client.get(url)
    page = _wizard_post(
        client,
        url,
        page,
        {
            "child_name": "Nguyễn Minh An",
            "child_birth_date": "2026-11-20",
            "child_gender": "male",
            "birth_place": "Bệnh viện Phụ sản Hà Nội",
            "relation": "me",
            "has_other_parent": "False",
        },
    )
    assert "Bước 2/3" in page.content.decode(), page.context["wizard"]["form"].errors
    page = _wizard_post(client, url, page, {})
    assert walk_in.full_name in page.content.decode()  # the review shows the prefilled applicant
    page = _wizard_post(client, url, page, {"declaration": "on"})
    assert page.status_code == 302, page.context["wizard"]["form"].errors
    dossier = Dossier.objects.get()
    assert dossier.channel == "counter"
    assert dossier.centre.code == "000.00.01.H26"
    assert dossier.applicant_citizen_id == walk_in.citizen_id
    assert dossier.submitted_by == clerk
    # The citizen sees it in their own account.
    citizen = User.objects.create_user(
        username=walk_in.citizen_id, password="x", citizen_id=walk_in.citizen_id
    )
    client.force_login(citizen)
    assert dossier.code in client.get(reverse("procedures:my_dossiers")).content.decode()
    assert client.get(reverse("procedures:dossier", args=[dossier.code])).status_code == 200


def test_citizen_cannot_use_the_counter_page(citizen, client):
    assert client.get(reverse("procedures:assisted_start")).status_code == 403


def test_public_lookup_needs_code_and_the_receipts_pin(citizen, client):
    url = _start(client, "xac-nhan-tinh-trang-hon-nhan")
    page = client.get(url)
    page = _wizard_post(client, url, page, {"purpose": "vay-von"})
    _wizard_post(
        client, url, page, {"declaration": "on", "centre": page.context["wizard"]["form"].initial["centre"]}
    )
    dossier = Dossier.objects.get()
    receipt = client.get(reverse("procedures:receipt", args=[dossier.code])).content.decode()
    assert dossier.lookup_pin in receipt  # printed on the receipt
    client.logout()
    found = client.post(reverse("procedures:lookup"), {"code": dossier.code, "pin": dossier.lookup_pin})
    html = found.content.decode()
    assert dossier.get_status_display() in html
    assert dossier.due_date.strftime("%d/%m/%Y") in html
    assert "Nguyễn Thị Lan" not in html  # status and due date only
    wrong = client.post(reverse("procedures:lookup"), {"code": dossier.code, "pin": DEMO_CITIZEN_ID})
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()
    assert client.get(reverse("procedures:dossier", args=[dossier.code])).status_code == 302


def test_ward_picker_lists_the_wards_of_the_chosen_province(hanoi, client):
    from divisions.models import Province

    province = Province.objects.get(name="Thành phố Hà Nội")
    html = client.get(
        reverse("procedures:wards"), {"noi-tam-tru-stay_address__province": province.pk}
    ).content
    html = html.decode()
    assert "Phường Ba Đình" in html
    assert html.count("<option") == Ward.objects.filter(province=province).count() + 1
    assert (
        client.get(reverse("procedures:wards"), {"x__province": "abc"}).content.decode().count("<option") == 1
    )


def test_clerk_started_draft_is_taken_over_once_by_its_citizen(demo, client):
    clerk = User.objects.get(username="canbo.caugiay")
    client.force_login(clerk)
    person = PersonRecord.objects.exclude(citizen_id=DEMO_CITIZEN_ID).first()
    response = client.post(
        reverse("procedures:assisted_start"),
        {
            "citizen_id": person.citizen_id,
            "procedure": "dang-ky-tam-tru",
            "channel": "counter",
            "consent": "on",
        },
    )
    page = client.get(response["Location"])
    link = page.context["handover_url"]
    path = link[link.index("/ho-so/") :]
    other = User.objects.create_user(username="001088000777", password="x", citizen_id="001088000777")
    client.force_login(other)
    assert client.get(path).status_code == 404  # not the person the dossier is for
    citizen = User.objects.create_user(username=person.citizen_id, password="x", citizen_id=person.citizen_id)
    client.force_login(citizen)
    response = client.get(path)
    draft = Draft.objects.get()
    assert response["Location"] == reverse("procedures:draft", args=[draft.pk])
    assert (draft.owner, draft.channel, draft.centre.code) == (citizen, "online", "000.00.01.H26")
    assert draft.basis == "self"  # she files it herself now: nobody files on her behalf
    assert client.get(path).status_code == 404  # used once
    client.force_login(clerk)
    assert client.get(reverse("procedures:draft", args=[draft.pk])).status_code == 404


def test_abandoned_drafts_are_purged(citizen, client, settings):
    import datetime

    from django.utils import timezone

    from procedures.services import drafts_purge

    url = _start(client, "chung-thuc-ban-sao-tu-ban-chinh")
    page = client.get(url)
    page = _wizard_post(
        client,
        url,
        page,
        {"document_name": "Bằng", "pages": "1", "ban-chinh": SimpleUploadedFile("a.png", PNG)},
    )
    draft = Draft.objects.get()
    (stored,) = [entry["tmp_name"] for entry in draft.state["step_files"]["giay-to"].values()]
    storage = draft_file_storage()
    assert storage.exists(stored)
    assert drafts_purge() == 0
    Draft.objects.update(
        updated_at=timezone.now() - datetime.timedelta(days=settings.PROCEDURES_DRAFT_RETENTION_DAYS + 1)
    )
    assert drafts_purge() == 1
    assert not Draft.objects.exists()
    assert not storage.exists(stored)


def test_a_document_filed_before_is_reused_from_the_wallet(citizen, client):
    def file_copy(extra):
        url = _start(client, "chung-thuc-ban-sao-tu-ban-chinh")
        page = client.get(url)
        page = _wizard_post(client, url, page, {"document_name": "Bằng tốt nghiệp", "pages": "1", **extra})
        if "Bước 2/2" not in page.content.decode():
            return page
        return _wizard_post(
            client,
            url,
            page,
            {"declaration": "on", "centre": page.context["wizard"]["form"].initial["centre"]},
        )

    file_copy({"ban-chinh": SimpleUploadedFile("bang.png", PNG)})
    first = Dossier.objects.get().attachments.get()
    page = file_copy({})  # neither a new file nor one from the wallet
    assert "Hãy tải tệp lên hoặc chọn giấy tờ đã nộp trước đây." in page.content.decode()
    assert "bang.png — Chứng thực bản sao từ bản chính" in page.content.decode()
    Draft.objects.all().delete()
    file_copy({"ban-chinh__wallet": str(first.pk)})
    second = Dossier.objects.exclude(pk=first.dossier_id).get().attachments.get()
    assert second.file.name == first.file.name
    assert second.component == "ban-chinh"


def test_a_result_issued_before_is_in_the_wallet_and_filed_without_uploading(
    citizen, client, settings, tmp_path
):
    from django.core.files.base import ContentFile
    from django.utils import timezone

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
        submitted_by=citizen,
        data={},
    )

    def result(code, key, **fields):
        document = Document(
            code=code,
            key=key,
            kind=Document.Kind.MARITAL_STATUS,
            number=f"{earlier.code}/KQ",
            issuer=Agency.objects.filter(kind="civil_status").first(),
            subject_ref=earlier.code,
            owner=citizen,
            status=Document.Status.ISSUED,
            issued_at=timezone.now(),
            **fields,
        )
        document.file.save(f"{code}.pdf", ContentFile(b"%PDF-1.7 signed result"), save=False)
        document.save()
        return document

    issued = result("KQ2345678A", f"result:{earlier.code}")
    # A revoked result is never offered.
    result("KQ2345678B", "result:an-older-one", revoked_at=timezone.now(), revoked_reason="Cấp nhầm")

    url = _start(client, "chung-thuc-ban-sao-tu-ban-chinh")
    page = client.get(url)
    choices = dict(page.context["wizard"]["form"].fields["ban-chinh__wallet"].choices)
    assert (
        f"Giấy xác nhận tình trạng hôn nhân số {earlier.code}/KQ — kết quả đã cấp" in choices["kq-KQ2345678A"]
    )
    assert "kq-KQ2345678B" not in choices
    page = _wizard_post(
        client,
        url,
        page,
        {"document_name": "Giấy xác nhận", "pages": "1", "ban-chinh__wallet": "kq-KQ2345678A"},
    )
    page = _wizard_post(
        client, url, page, {"declaration": "on", "centre": page.context["wizard"]["form"].initial["centre"]}
    )
    filed = Dossier.objects.exclude(pk=earlier.pk).get()
    attachment = filed.attachments.get()
    assert attachment.component == "ban-chinh"
    assert attachment.file.name == issued.file.name  # the same stored file, not a copy
    assert attachment.content_type == "application/pdf"
    assert attachment.file.open("rb").read().startswith(b"%PDF")


def test_a_territorial_dossier_goes_to_the_centre_of_the_address_it_concerns(citizen, client):
    url = _start(client, "dang-ky-tam-tru")
    page = client.get(url)
    page = _wizard_post(
        client, url, page, {"stay_from": "2026-12-01", "stay_until": "2027-06-01", **_address()}
    )
    centres = page.context["wizard"]["form"].fields["centre"].choices
    assert [name for _, name in centres] == ["Trung tâm Phục vụ hành chính công phường Ba Đình"]
    # A non-territorial procedure may be filed at any centre; her own ward's centre is proposed.
    url = _start(client, "cap-phieu-ly-lich-tu-phap")
    review = _wizard_post(client, url, client.get(url), {"certificate_kind": "1", "purpose": "Xin việc"})
    form = review.context["wizard"]["form"]
    assert len(form.fields["centre"].choices) == 3
    assert dict(form.fields["centre"].choices)[form.initial["centre"]].endswith("phường Cầu Giấy")


def test_typing_survives_an_expired_session(citizen, client):
    url = _start(client, "dang-ky-tam-tru")
    page = client.get(url)
    wizard = page.context["wizard"]
    client.logout()  # the session expires while the citizen is typing
    response = client.post(
        url,
        {
            f"{wizard['management_form'].prefix}-current_step": "noi-tam-tru",
            "noi-tam-tru-stay_address__street": "Số 9 ngõ 3 Phố Kim Mã",
        },
    )
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(citizen)
    assert 'value="Số 9 ngõ 3 Phố Kim Mã"' in client.get(url).content.decode()


def test_the_registry_note_is_shown_once_for_the_identity_group(citizen, client):
    html = client.get(_start(client, "xac-nhan-tinh-trang-hon-nhan")).content.decode()
    # Name, birth date, gender and ID number are the registry's: one note says so for the four.
    assert html.count("Theo Cơ sở dữ liệu quốc gia về dân cư") == 1

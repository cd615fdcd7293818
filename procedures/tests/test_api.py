"""The procedures API: same rules as the wizard pages, through the same forms and services."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier, Draft
from registry.citizen_id import FEMALE, make_citizen_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MARITAL = "xac-nhan-tinh-trang-hon-nhan"
COPY = "chung-thuc-ban-sao-tu-ban-chinh"


def _client_for(user) -> APIClient:
    _token, key = api_token_issue(kind="user", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def lan(demo):
    return User.objects.get(username=DEMO_CITIZEN_ID)


@pytest.fixture
def api(lan):
    return _client_for(lan)


@pytest.fixture
def stranger(demo):
    number = make_citizen_id(province_code="079", gender=FEMALE, birth_year=1985, serial=9911)
    return User.objects.create_user(username=number, password="x", citizen_id=number)


def _start(api, slug=MARITAL, **extra):
    response = api.post("/api/v1/drafts/", {"procedure": slug, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _step_values(draft, name, **overrides):
    step = next(s for s in draft["steps"] if s["name"] == name)
    return {**step["initial"], **overrides}


def _file_marital(api, *, draft=None, **answers):
    """File a marital-status confirmation through the API: the step with these answers over the
    prefilled values (purpose "vay-von" unless given), then submit."""
    draft = draft or _start(api)
    values = _step_values(draft, "nguoi-yeu-cau", **{"purpose": "vay-von", **answers})
    saved = api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json")
    assert saved.status_code == 200, saved.json()
    submitted = api.post(
        f"/api/v1/drafts/{draft['id']}/submit/",
        {"centre": draft["initial_centre"], "declaration": True},
        format="json",
    )
    assert submitted.status_code == 201, submitted.json()
    return submitted.json()


def test_catalogue_and_form_definition_describe_every_input(demo):
    client = APIClient()
    found = client.get("/api/v1/procedures/", {"q": "hon nhan"}).json()
    assert MARITAL in [p["slug"] for p in found]
    form = client.get(f"/api/v1/procedures/{MARITAL}/form/").json()
    inputs = {i["name"]: i for s in form["steps"] for f in s["fields"] for i in f["inputs"]}
    assert inputs["applicant__citizen_id"]["kind"] == "text"
    assert inputs["applicant__birth_date"]["kind"] == "date"
    assert inputs["applicant__birth_date"]["max_date"] == datetime.date.today().isoformat()
    assert {c["value"] for c in inputs["purpose"]["choices"]} >= {"ket-hon", "vay-von"}
    assert inputs["residence__ward"]["choices"][0]["group"]  # wards grouped by province
    partner = next(f for s in form["steps"] for f in s["fields"] if f["name"] == "partner_name")
    assert partner["show_if"] == {"field": "purpose", "equals": "ket-hon"}
    assert client.get("/api/v1/procedures/khong-co/form/").status_code == 404


def test_a_citizen_files_through_the_api_with_prefilled_data(api, lan):
    dossier = _file_marital(api)
    stored = Dossier.objects.get(code=dossier["code"])
    assert stored.applicant_citizen_id == DEMO_CITIZEN_ID
    assert stored.data["applicant__full_name"] == "Nguyễn Thị Lan"
    assert stored.data["purpose"] == "vay-von"
    assert stored.channel == "online"
    assert not Draft.objects.exists()
    detail = api.get(f"/api/v1/dossiers/{stored.code}/").json()
    assert detail["status"] == "received"
    assert detail["due_date"] == stored.due_date.isoformat()
    assert [e["kind"] for e in detail["timeline"]] == ["submitted"]
    assert stored.code in [d["code"] for d in api.get("/api/v1/dossiers/").json()]


def test_a_draft_started_in_the_api_resumes_on_the_site(api, lan, client):
    draft = _start(api)
    values = _step_values(draft, "nguoi-yeu-cau", purpose="vay-von")
    api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json")
    client.force_login(lan)
    page = client.get(reverse("procedures:draft", args=[draft["id"]]))
    assert "Bước 2/2" in page.content.decode()  # the review step: step 1 is already done
    again = api.get(f"/api/v1/drafts/{draft['id']}/").json()
    assert again["current_step"] == "kiem-tra"
    assert again["steps"][0]["values"]["purpose"] == "vay-von"


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"purpose": ""}, "purpose", "bắt buộc"),
        ({"purpose": "ket-hon", "partner_name": ""}, "partner_name", "bắt buộc"),
        # A name that would print reversed after U+202E, hide a zero-width joiner, or smuggle a NUL.
        ({"purpose": "ket-hon", "partner_name": "Trần \u202eBình"}, "partner_name", "ký tự ẩn"),
        ({"purpose": "ket-hon", "partner_name": "Trần\u200bBình"}, "partner_name", "ký tự ẩn"),
        ({"purpose": "ket-hon", "partner_name": "Trần\x00Bình"}, "partner_name", "ký tự ẩn"),
    ],
)
def test_bad_step_input_is_a_400_that_says_why_and_keeps_what_was_typed(api, override, field, message):
    draft = _start(api)
    values = _step_values(draft, "nguoi-yeu-cau", purpose="vay-von") | override
    response = api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json")
    assert response.status_code == 400
    body = response.json()
    assert message in body["errors"][field][0]["message"]
    kept = api.get(f"/api/v1/drafts/{draft['id']}/").json()["steps"][0]["values"]
    assert kept[field] == str(values[field]).replace("\x00", "")  # jsonb cannot keep a NUL


def test_typed_names_are_stored_nfc(api):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Phạm Thị Hường")
    filed = _file_marital(api, purpose="ket-hon", partner_name=decomposed)
    stored = Dossier.objects.get(code=filed["code"]).data["partner_name"]
    assert stored == unicodedata.normalize("NFC", "Phạm Thị Hường") != decomposed


def test_the_applicants_identity_is_the_registrys_whatever_the_client_sends(api, lan):
    from documents.models import Document
    from procedures.services import dossiers_enter

    filed = _file_marital(
        api,
        applicant__full_name="Trần Văn Giả",
        applicant__citizen_id="001099000001",
        applicant__birth_date="1990-01-01",
        applicant__gender="male",
    )
    dossier = Dossier.objects.get(code=filed["code"])
    assert dossier.applicant_name == "Nguyễn Thị Lan"
    assert dossier.data["applicant__full_name"] == "Nguyễn Thị Lan"
    assert dossier.data["applicant__citizen_id"] == lan.citizen_id
    assert dossier.data["applicant__gender"] == "female"
    assert dossier.filing_basis == "self"
    dossiers_enter()
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_ref=dossier.code)
    assert receipt.context["applicant_name"] == "Nguyễn Thị Lan"
    assert "filer_name" not in receipt.context
    assert "Giả" not in str(receipt.context)


def test_a_parent_filing_for_her_child_under_18_is_recorded_as_filed_on_her_behalf(demo):
    from documents.models import Document
    from procedures.services import dossiers_enter
    from registry.models import PersonRecord

    # The youngest child of the demo is under 18: a parent is her legal representative.
    child = (
        PersonRecord.objects.filter(relation_to_head="child", birth_date__lt=datetime.date.today())
        .order_by("-birth_date")
        .first()
    )
    head = PersonRecord.objects.get(household_code=child.household_code, relation_to_head="head")
    parent = User.objects.create_user(
        username=head.citizen_id, password="x", citizen_id=head.citizen_id, first_name=head.full_name
    )
    api = _client_for(parent)
    draft = _start(api, applicant_citizen_id=child.citizen_id)
    filed = _file_marital(api, draft=draft, applicant__full_name="Tên Khác")
    dossier = Dossier.objects.get(code=filed["code"])
    assert (dossier.applicant_citizen_id, dossier.applicant_name) == (child.citizen_id, child.full_name)
    assert dossier.filing_basis == "guardian"
    dossiers_enter()
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_ref=dossier.code)
    assert receipt.context["filer_name"] == head.full_name
    assert "con chưa đủ 18 tuổi" in receipt.context["filer_basis"]


def test_a_bad_date_order_is_refused_as_on_the_page(api):
    draft = _start(api, slug="dang-ky-tam-tru")
    step = draft["steps"][0]["name"]
    form = APIClient().get("/api/v1/procedures/dang-ky-tam-tru/form/").json()
    rule = next(r for s in form["steps"] for r in s["rules"] if r["kind"] == "date_order")
    values = _step_values(draft, step, **{rule["first"]: "2026-12-10", rule["second"]: "2026-12-01"})
    response = api.post(f"/api/v1/drafts/{draft['id']}/steps/{step}/", values, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][rule["second"]][0]["message"] == rule["message"]


def test_an_upload_is_checked_by_its_bytes_not_its_name(api):
    draft = _start(api, slug=COPY)
    step = draft["steps"][0]["name"]
    values = _step_values(draft, step, document_name="Bằng tốt nghiệp", pages="3", copies="2")
    fake = SimpleUploadedFile("bang.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = api.post(
        f"/api/v1/drafts/{draft['id']}/steps/{step}/", {**values, "ban-chinh": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert "không phải PDF, JPEG hoặc PNG" in response.json()["errors"]["ban-chinh"][0]["message"]
    good = SimpleUploadedFile("bang.txt", PNG, content_type="text/plain")
    response = api.post(
        f"/api/v1/drafts/{draft['id']}/steps/{step}/", {**values, "ban-chinh": good}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    submitted = api.post(
        f"/api/v1/drafts/{draft['id']}/submit/",
        {"centre": draft["initial_centre"], "declaration": True},
        format="json",
    ).json()
    assert submitted["fee"] == 10000
    [attachment] = submitted["attachments"]
    assert attachment["content_type"] == "image/png"
    download = api.get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_retried_submit_answers_with_the_same_dossier(api, lan):
    # The first answer was lost on a slow line; the app presses Submit again.
    first = _file_marital(api)
    draft_id = Dossier.objects.get(code=first["code"]).draft_ref
    again = api.post(f"/api/v1/drafts/{draft_id}/submit/", {"declaration": True}, format="json")
    assert again.status_code == 200
    assert again.json()["code"] == first["code"]
    assert Dossier.objects.count() == 1
    # Only its filer gets that answer; to anyone else the draft does not exist.
    other = _client_for(User.objects.create_user(username="x1", password="x", citizen_id="001099000001"))
    assert other.post(f"/api/v1/drafts/{draft_id}/submit/", {"declaration": True}).status_code == 404


def test_submission_needs_the_declaration_and_every_step(api):
    draft = _start(api)
    early = api.post(f"/api/v1/drafts/{draft['id']}/submit/", {"declaration": True}, format="json")
    assert early.status_code == 400
    assert early.json()["step"] == "nguoi-yeu-cau"
    values = _step_values(draft, "nguoi-yeu-cau", purpose="vay-von")
    api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json")
    unsigned = api.post(
        f"/api/v1/drafts/{draft['id']}/submit/",
        {"centre": draft["initial_centre"], "declaration": False},
        format="json",
    )
    assert unsigned.status_code == 400
    assert "cam đoan" in unsigned.json()["errors"]["declaration"][0]["message"]
    assert not Dossier.objects.exists()


def test_filing_for_someone_outside_the_household_is_forbidden(api, stranger):
    response = api.post(
        "/api/v1/drafts/", {"procedure": MARITAL, "applicant_citizen_id": stranger.citizen_id}, format="json"
    )
    assert response.status_code == 403
    bad = api.post("/api/v1/drafts/", {"procedure": MARITAL, "applicant_citizen_id": "123"}, format="json")
    assert bad.status_code == 400
    assert "12" in bad.json()["applicant_citizen_id"][0]


def test_another_citizens_drafts_and_dossiers_are_404(api, stranger):
    draft = _start(api, slug=COPY)  # kept: a draft of another procedure than the one filed below
    dossier = _file_marital(api)
    other = _client_for(stranger)
    assert other.get("/api/v1/drafts/").json() == []
    assert other.get(f"/api/v1/drafts/{draft['id']}/").status_code == 404
    step_url = f"/api/v1/drafts/{draft['id']}/steps/{draft['steps'][0]['name']}/"
    assert other.post(step_url, {}, format="json").status_code == 404
    assert other.post(f"/api/v1/drafts/{draft['id']}/submit/", {"declaration": True}).status_code == 404
    assert other.get(f"/api/v1/dossiers/{dossier['code']}/").status_code == 404
    assert other.get("/api/v1/dossiers/").json() == []
    stored = Dossier.objects.get(code=dossier["code"])
    stored.attachments.create(
        component="x", file="dossiers/x.png", name="x.png", content_type="image/png", size=1
    )
    attachment = stored.attachments.get()
    assert other.get(f"/api/v1/dossiers/{stored.code}/attachments/{attachment.pk}/").status_code == 404
    assert APIClient().get(f"/api/v1/dossiers/{stored.code}/").status_code == 401
    assert api.get(f"/api/v1/drafts/{draft['id']}/").status_code == 200  # still there, for its owner


def test_counter_staff_see_their_centres_dossiers_only(api, demo):
    dossier = Dossier.objects.get(code=_file_marital(api)["code"])
    staff = User.objects.filter(memberships__role="counter_staff")
    own = staff.filter(memberships__centre=dossier.centre).first()
    other = staff.exclude(memberships__centre=dossier.centre)[0]
    assert _client_for(own).get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200
    assert _client_for(other).get(f"/api/v1/dossiers/{dossier.code}/").status_code == 404


def test_a_clerk_files_for_a_walk_in_citizen_at_their_centre(demo, stranger):
    clerk = _client_for(User.objects.get(username="canbo.caugiay"))
    missing = clerk.post(
        "/api/v1/drafts/",
        {
            "procedure": MARITAL,
            "applicant_citizen_id": stranger.citizen_id,
            "channel": "counter",
            "consent": True,
        },
        format="json",
    )
    assert missing.status_code == 400  # not in the population registry
    assert "Cơ sở dữ liệu dân cư" in missing.json()["applicant_citizen_id"][0]
    draft = clerk.post(
        "/api/v1/drafts/",
        {
            "procedure": MARITAL,
            "applicant_citizen_id": DEMO_CITIZEN_ID,
            "channel": "counter",
            "consent": True,
        },
        format="json",
    )
    assert draft.status_code == 201
    assert draft.json()["centres"] is None  # filed at the clerk's own centre
    citizen = _client_for(User.objects.get(username=DEMO_CITIZEN_ID))
    refused = citizen.post(
        "/api/v1/drafts/",
        {"procedure": MARITAL, "applicant_citizen_id": DEMO_CITIZEN_ID, "channel": "counter"},
        format="json",
    )
    assert refused.status_code == 403


def test_public_lookup_needs_code_and_the_receipts_pin_by_post(api):
    dossier = _file_marital(api)
    pin = Dossier.objects.get(code=dossier["code"]).lookup_pin
    assert len(pin) == 8
    assert pin.isdigit()
    client = APIClient()
    found = client.post("/api/v1/dossiers/lookup/", {"code": dossier["code"], "pin": pin}, format="json")
    assert found.status_code == 200
    assert found.json()["status"] == "received"
    # The citizen ID (structured, guessable) opens nothing any more; a wrong PIN neither.
    for probe in (
        {"pin": DEMO_CITIZEN_ID},
        {"citizen_id": DEMO_CITIZEN_ID},
        {"pin": f"{(int(pin) + 1) % 10**8:08d}"},
    ):
        wrong = client.post("/api/v1/dossiers/lookup/", {"code": dossier["code"], **probe}, format="json")
        assert wrong.status_code in (400, 404), probe
    assert client.get("/api/v1/dossiers/lookup/").status_code == 405  # never in a URL

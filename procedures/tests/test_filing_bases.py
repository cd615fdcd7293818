"""Issue 18, item 1 (who files for whom) and the postal dossier: a parent for her child under 18,
an authorised representative with the letter, a clerk for a paper dossier that came by post. One
rule (`services.filing_basis`), pages and API alike; the ground is on the draft, the dossier and
the receipt."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from documents.models import Document
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier, Draft, Procedure
from procedures.services import FilingNotAllowed, dossiers_enter, draft_start, drafts_purge
from registry.models import PersonRecord, RegistryRead
from uploads.tests.files import infected_pdf, pdf_bytes

from .test_api import MARITAL, _client_for, _file_marital, _start, _step_values
from .test_wizard import _wizard_post

LAN_NAME = "Nguyễn Thị Lan"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _account(person: PersonRecord) -> User:
    return User.objects.create_user(username=person.citizen_id, password="x", citizen_id=person.citizen_id)


def _family() -> tuple[PersonRecord, PersonRecord, PersonRecord]:
    """A household's head, a child of theirs under 18, and an adult member (the spouse)."""
    today = datetime.date.today()
    eighteenth_birthday_before = today.replace(year=today.year - 18, day=min(today.day, 28))
    for child in PersonRecord.objects.filter(relation_to_head="child").order_by("-birth_date"):
        if child.birth_date <= eighteenth_birthday_before:
            continue
        members = PersonRecord.objects.filter(household_code=child.household_code)
        spouse = members.filter(relation_to_head="spouse").first()
        if spouse is not None:
            return members.get(relation_to_head="head"), child, spouse
    raise AssertionError("the demo has no family with a child under 18")


@pytest.fixture
def representative(demo) -> User:
    """A resident outside Lan's household, who holds Lan's authorisation letter."""
    return _account(PersonRecord.objects.exclude(household_code="HN999001").order_by("citizen_id").first())


def _letter(name="giay-uy-quyen.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(1), content_type="application/pdf")


# --- the parent of a minor (the household ground, narrowed to what it is) ----------------------


def test_a_parent_files_for_her_child_under_18_as_guardian(demo):
    head, child, _spouse = _family()
    procedure = Procedure.objects.get(slug=MARITAL)
    draft = draft_start(owner=_account(head), procedure=procedure, applicant_citizen_id=child.citizen_id)
    assert draft.basis == "guardian"
    assert "con chưa đủ 18 tuổi" in draft.get_basis_display()


def test_an_adult_of_the_household_is_filed_for_only_with_her_letter(demo):
    head, child, spouse = _family()
    procedure = Procedure.objects.get(slug=MARITAL)
    with pytest.raises(FilingNotAllowed, match="giấy ủy quyền"):
        draft_start(owner=_account(head), procedure=procedure, applicant_citizen_id=spouse.citizen_id)
    # Nor does a child file for her parent, nor a spouse for the head, on the household alone.
    with pytest.raises(FilingNotAllowed):
        draft_start(owner=_account(spouse), procedure=procedure, applicant_citizen_id=head.citizen_id)
    draft = draft_start(
        owner=User.objects.get(username=head.citizen_id),
        procedure=procedure,
        applicant_citizen_id=spouse.citizen_id,
        applicant_name=spouse.full_name,
        letter=_letter(),
    )
    assert draft.basis == "authorised"
    assert not Draft.objects.exclude(pk=draft.pk).exists()


def test_the_procedure_page_offers_her_minor_children_and_the_letter(demo, client):
    head, child, spouse = _family()
    client.force_login(_account(head))
    page = client.get(reverse("procedures:detail", args=[MARITAL])).content.decode()
    assert child.citizen_id in page
    assert spouse.citizen_id not in page
    assert reverse("procedures:start_authorised", args=[MARITAL]) in page
    refused = client.post(reverse("procedures:start", args=[MARITAL]), {"for": spouse.citizen_id})
    assert refused.status_code == 403


def _turns_18(child: PersonRecord) -> None:
    """The registry now says she is an adult (as it would weeks into a draft, on her birthday)."""
    PersonRecord.objects.filter(pk=child.pk).update(birth_date=child.birth_date.replace(year=2000))


def test_submit_asks_again_a_parent_whose_child_turned_18_meanwhile_files_nothing(demo):
    """Who may file for whom is decided on starting a draft *and* on submitting it (issue 18)."""
    head, child, _spouse = _family()
    api = _client_for(_account(head))
    draft = _start(api, applicant_citizen_id=child.citizen_id)
    values = _step_values(draft, "nguoi-yeu-cau", purpose="vay-von")
    assert (
        api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json").status_code
        == 200
    )
    _turns_18(child)
    refused = api.post(
        f"/api/v1/drafts/{draft['id']}/submit/",
        {"centre": draft["initial_centre"], "declaration": True},
        format="json",
    )
    assert refused.status_code == 403
    assert "không còn là con chưa đủ 18 tuổi" in refused.json()["detail"]
    assert not Dossier.objects.filter(applicant_citizen_id=child.citizen_id).exists()
    assert Draft.objects.filter(pk=draft["id"]).exists()  # nothing she typed is lost


def test_the_page_says_why_on_the_review_step_and_keeps_the_answers(demo, client):
    head, child, _spouse = _family()
    client.force_login(_account(head))
    procedure = Procedure.objects.get(slug=MARITAL)
    draft = draft_start(
        owner=User.objects.get(username=head.citizen_id),
        procedure=procedure,
        applicant_citizen_id=child.citizen_id,
    )
    url = reverse("procedures:draft", args=[draft.pk])
    page = _wizard_post(client, url, client.get(url), {"purpose": "vay-von"})
    review = page.context["wizard"]["form"]
    answers = Draft.objects.get(pk=draft.pk).state
    _turns_18(child)
    refused = _wizard_post(client, url, page, {"declaration": "on", "centre": review.initial["centre"]})
    assert refused.status_code == 403
    assert "không còn là con chưa đủ 18 tuổi" in refused.content.decode()
    assert not Dossier.objects.filter(applicant_citizen_id=child.citizen_id).exists()
    kept = Draft.objects.get(pk=draft.pk).state["step_data"]
    assert kept["nguoi-yeu-cau"] == answers["step_data"]["nguoi-yeu-cau"]  # nothing she typed is lost


# --- the authorised representative ----------------------------------------------------------


def test_a_representative_files_with_the_letter_on_the_pages(representative, client):
    client.force_login(representative)
    started = client.post(
        reverse("procedures:start_authorised", args=[MARITAL]),
        {"citizen_id": DEMO_CITIZEN_ID, "full_name": "nguyen thi lan", "letter": _letter()},
    )
    assert started.status_code == 302, started.context["form"].errors
    draft = Draft.objects.get()
    assert (draft.basis, draft.applicant_citizen_id, draft.owner) == (
        "authorised",
        DEMO_CITIZEN_ID,
        representative,
    )
    assert draft.letter.name.startswith(f"dossiers/{draft.pk}/")  # a random name in the dossier's folder
    url = started["Location"]
    page = client.get(url)
    form = page.context["wizard"]["form"]
    # Lan's identity is the registry's: shown, not typed, whatever is posted.
    assert form.initial["applicant__full_name"] == LAN_NAME
    assert form.fields["applicant__full_name"].disabled
    page = _wizard_post(client, url, page, {"purpose": "vay-von", "applicant__full_name": "Tên Khác"})
    page = _wizard_post(client, url, page, {"declaration": "on"})
    assert page.status_code == 302, page.context["wizard"]["form"].errors
    dossier = Dossier.objects.get()
    assert (dossier.applicant_citizen_id, dossier.applicant_name) == (DEMO_CITIZEN_ID, LAN_NAME)
    assert (dossier.submitted_by, dossier.filing_basis) == (representative, "authorised")
    (letter,) = dossier.attachments.filter(component="giay-uy-quyen")
    assert (letter.name, letter.content_type) == ("giay-uy-quyen.pdf", "application/pdf")
    assert letter.file.read() == pdf_bytes(1)
    rep_name = PersonRecord.objects.get(citizen_id=representative.citizen_id).full_name
    receipt = client.get(reverse("procedures:receipt", args=[dossier.code])).content.decode()
    assert "Người nộp thay" in receipt
    assert f"{rep_name} — Người đại diện theo ủy quyền, có giấy ủy quyền" in receipt
    dossiers_enter()
    signed = Document.objects.get(kind=Document.Kind.RECEIPT, subject_ref=dossier.code)
    assert signed.context["filer_name"] == rep_name
    assert "ủy quyền" in signed.context["filer_basis"]
    assert signed.context["applicant_name"] == LAN_NAME
    # Lan sees who read her record, and the dossier filed for her.
    read = RegistryRead.objects.filter(citizen_id=DEMO_CITIZEN_ID).first()
    assert (read.reader, read.role, read.unit) == (representative, "Người đại diện theo ủy quyền", rep_name)
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    home = client.get(reverse("accounts:home_citizen")).content.decode()
    assert "Người đại diện theo ủy quyền" in home
    assert client.get(reverse("procedures:dossier", args=[dossier.code])).status_code == 200


@pytest.mark.parametrize(
    ("citizen_id", "full_name", "letter", "field", "message"),
    [
        # A number alone must not open a stranger's record: the name on the letter must match too.
        (DEMO_CITIZEN_ID, "Trần Văn Khác", _letter, "citizen_id", "không khớp"),
        ("001190000001", LAN_NAME, _letter, "citizen_id", "không khớp"),
        (DEMO_CITIZEN_ID, LAN_NAME, lambda: infected_pdf("uy-quyen.pdf"), "letter", "có mã độc"),
        (
            DEMO_CITIZEN_ID,
            LAN_NAME,
            lambda: SimpleUploadedFile("uy-quyen.pdf", b"<html>not a letter</html>", "application/pdf"),
            "letter",
            "không phải PDF, JPEG hoặc PNG",
        ),
        (DEMO_CITIZEN_ID, LAN_NAME, lambda: "", "letter", "bắt buộc"),
    ],
)
def test_a_representative_start_is_refused_beside_the_field_and_reads_nothing(
    representative, client, citizen_id, full_name, letter, field, message
):
    client.force_login(representative)
    page = client.post(
        reverse("procedures:start_authorised", args=[MARITAL]),
        {"citizen_id": citizen_id, "full_name": full_name, "letter": letter()},
    )
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[field])
    assert not Draft.objects.exists()
    assert not RegistryRead.objects.exists()


def test_a_representative_files_through_the_api_with_the_letter(representative):
    # Lan has filed a paper before: her own drafts offer it again, her representative's do not.
    lan = _client_for(User.objects.get(username=DEMO_CITIZEN_ID))
    earlier = Dossier.objects.get(code=_file_marital(lan)["code"])
    earlier.attachments.create(
        component="x", file="dossiers/x.png", name="x.png", content_type="image/png", size=1
    )
    assert lan.post("/api/v1/drafts/", {"procedure": MARITAL}, format="json").json()["steps"][0]["wallet"]
    api = _client_for(representative)
    body = {"procedure": MARITAL, "applicant_citizen_id": DEMO_CITIZEN_ID}
    assert api.post("/api/v1/drafts/", body, format="json").status_code == 403
    wrong = api.post(
        "/api/v1/drafts/",
        {**body, "applicant_name": "Ai Đó", "authorisation_letter": _letter()},
        format="multipart",
    )
    assert wrong.status_code == 400
    not_a_file = api.post(
        "/api/v1/drafts/",
        {**body, "applicant_name": LAN_NAME, "authorisation_letter": "x"},
        format="multipart",
    )
    assert not_a_file.json()["authorisation_letter"] == [
        "Hãy gửi giấy ủy quyền dưới dạng tệp (multipart/form-data)."
    ]
    infected = api.post(
        "/api/v1/drafts/",
        {**body, "applicant_name": LAN_NAME, "authorisation_letter": infected_pdf("uy-quyen.pdf")},
        format="multipart",
    )
    assert infected.status_code == 400
    assert "có mã độc" in str(infected.json()["authorisation_letter"])
    assert not Draft.objects.filter(owner=representative).exists()
    started = api.post(
        "/api/v1/drafts/",
        {**body, "applicant_name": LAN_NAME, "authorisation_letter": _letter()},
        format="multipart",
    )
    assert started.status_code == 201, started.json()
    draft = started.json()
    assert draft["basis"] == "authorised"
    assert all(step["wallet"] == [] for step in draft["steps"])  # Lan's earlier papers are not offered
    filed = _file_marital(api, draft=draft, applicant__full_name="Tên Khác")
    dossier = Dossier.objects.get(code=filed["code"])
    assert (dossier.filing_basis, dossier.applicant_name) == ("authorised", LAN_NAME)
    assert [a["name"] for a in filed["attachments"]] == ["giay-uy-quyen.pdf"]


def test_a_new_letter_replaces_the_old_and_a_purged_draft_takes_its_letter(
    representative, settings, django_capture_on_commit_callbacks
):
    procedure = Procedure.objects.get(slug=MARITAL)
    start = {"owner": representative, "procedure": procedure, "applicant_citizen_id": DEMO_CITIZEN_ID}
    first = draft_start(**start, applicant_name=LAN_NAME, letter=_letter())
    storage = first.letter.storage
    old = first.letter.name
    with django_capture_on_commit_callbacks(execute=True):
        again = draft_start(**start, applicant_name=LAN_NAME, letter=_letter("ban-moi.pdf"))
    assert again.pk == first.pk
    assert again.letter.name != old
    assert not storage.exists(old)
    assert again.letter_name == "ban-moi.pdf"
    Draft.objects.update(
        updated_at=again.updated_at - datetime.timedelta(days=settings.PROCEDURES_DRAFT_RETENTION_DAYS + 1)
    )
    assert drafts_purge() == 1
    assert not storage.exists(again.letter.name)


# --- paper dossiers that came by post ---------------------------------------------------------


def test_a_clerk_enters_a_postal_dossier_without_a_ticket_or_a_consent(demo, client):
    clerk = User.objects.get(username="canbo.caugiay")
    client.force_login(clerk)
    started = client.post(
        reverse("procedures:assisted_start"),
        {"citizen_id": DEMO_CITIZEN_ID, "procedure": MARITAL, "channel": "counter", "postal": "on"},
    )
    assert started.status_code == 302, started.context["form"].errors
    draft = Draft.objects.get()
    assert (draft.basis, draft.channel, draft.consent_at) == ("postal", "paper", None)
    url = started["Location"]
    page = client.get(url)
    page = _wizard_post(client, url, page, {"purpose": "vay-von"})
    page = _wizard_post(client, url, page, {"declaration": "on"})
    assert page.status_code == 302, page.context["wizard"]["form"].errors
    dossier = Dossier.objects.get()
    assert (dossier.filing_basis, dossier.channel, dossier.submitted_by) == ("postal", "paper", clerk)
    for name in ("procedures:receipt", "procedures:dossier"):
        html = client.get(reverse(name, args=[dossier.code])).content.decode()
        assert "Hồ sơ gửi qua bưu chính, có đơn ký của người nộp" in html
        assert "Người nộp thay" not in html
    dossiers_enter()
    signed = Document.objects.get(kind=Document.Kind.RECEIPT, subject_ref=dossier.code)
    assert "bưu chính" in signed.context["filed_by_post"]
    assert "filer_name" not in signed.context
    read = RegistryRead.objects.filter(citizen_id=DEMO_CITIZEN_ID).first()
    assert (read.reader, read.role) == (clerk, "Cán bộ một cửa")
    assert "bưu chính" in read.purpose


def test_the_api_takes_a_postal_dossier_on_its_own_basis(demo):
    clerk = User.objects.get(username="canbo.caugiay")
    started = _client_for(clerk).post(
        "/api/v1/drafts/",
        {"procedure": MARITAL, "applicant_citizen_id": DEMO_CITIZEN_ID, "channel": "paper", "postal": True},
        format="json",
    )
    assert started.status_code == 201, started.json()
    assert (started.json()["basis"], started.json()["channel"]) == ("postal", "paper")
    # Only counter staff enter post: a citizen's "postal" changes nothing.
    lan = _client_for(User.objects.get(username=DEMO_CITIZEN_ID))
    own = lan.post("/api/v1/drafts/", {"procedure": MARITAL, "postal": True}, format="json").json()
    assert own["basis"] == "self"

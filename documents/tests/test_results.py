import pytest

from documents.models import Document
from documents.results import RESULTS, result_document_request
from documents.services import document_generate
from procedures.models import Dossier
from routing.tests.conftest import file_dossier, officer_of

from .pdftools import pdf_text

CASES = {
    "1.004873": ({"marital_status": "single", "purpose": "ket-hon"}, "purpose", "Để đăng ký kết hôn"),
    "1.001193": (
        {
            "child_name": "Trần Minh Khôi",
            "child_birth_date": "2026-11-02",
            "child_gender": "male",
            "birth_place": "Bệnh viện Phụ sản Hà Nội",
            "relation": "me",
        },
        "child_name",
        "Trần Minh Khôi",
    ),
    "1.004227": ({"purpose": "Nhập học"}, "full_name", "Nguyễn Thị Lan"),
    "2.000815": (
        {"document_name": "Bằng tốt nghiệp đại học", "pages": 2},
        "original_title",
        "Bằng tốt nghiệp đại học",
    ),
    "2.000720": (
        {"business_name": "Hộ kinh doanh Bánh cuốn Bà Lan", "trade": "Ăn uống (5610)", "capital": 150000000},
        "business_name",
        "Hộ kinh doanh Bánh cuốn Bà Lan",
    ),
}


def dossier_citizen_id(document):
    return Dossier.objects.get(code=document.key.removeprefix("result:")).applicant_citizen_id


def _dossier(code, data):
    dossier = file_dossier(code=code)
    Dossier.objects.filter(pk=dossier.pk).update(data=data)
    dossier.refresh_from_db()
    return dossier


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_procedure_issues_its_result_from_the_dossier(demo, code):
    data, field, expected = CASES[code]
    document = result_document_request(dossier=_dossier(code, data))
    assert document is not None
    assert document.kind == RESULTS[code][0]
    assert document.key.startswith("result:")
    assert document.context[field] == expected
    assert document.owner is not None
    assert document.owner.citizen_id == dossier_citizen_id(document)


def test_the_birth_extract_pdf_reads_the_declared_child(demo):
    data = CASES["1.001193"][0]
    document = document_generate(document_id=result_document_request(dossier=_dossier("1.001193", data)).pk)
    text = pdf_text(document.file.path)
    assert "TRẦN MINH KHÔI" in text  # the template sets the name in capitals
    assert "02/11/2026" in text
    assert "Bệnh viện Phụ sản Hà Nội" in text


def test_the_residence_confirmation_names_the_household_head_and_each_relation(demo):
    """A signed confirmation printed the applicant as her own household's head and the registry's
    codes ("spouse") as relations."""
    from registry.models import PersonRecord

    spouse = PersonRecord.objects.filter(relation_to_head=PersonRecord.Relation.SPOUSE).first()
    household = PersonRecord.objects.filter(household_code=spouse.household_code)
    head = household.get(relation_to_head=PersonRecord.Relation.HEAD)
    dossier = file_dossier(code="1.004227", citizen_id=spouse.citizen_id)
    Dossier.objects.filter(pk=dossier.pk).update(data={"purpose": "Nhập học"})
    dossier.refresh_from_db()
    context = result_document_request(dossier=dossier).context
    assert context["head_name"] == head.full_name
    relations = {m["name"]: m["relation"] for m in context["members"]}
    assert relations[head.full_name] == "Chủ hộ"
    assert relations[spouse.full_name] == "Vợ/chồng"
    assert not {"head", "spouse", "child", "parent", "other"} & set(relations.values())


def test_a_procedure_without_a_result_document_gets_none(demo):
    assert result_document_request(dossier=file_dossier(code="2.000488")) is None


def test_asking_twice_issues_one_document(demo):
    dossier = _dossier("2.000815", CASES["2.000815"][0])
    first = result_document_request(dossier=dossier)
    again = result_document_request(dossier=dossier)
    assert first.pk == again.pk
    assert Document.objects.filter(key=f"result:{dossier.code}").count() == 1


def test_approving_a_marital_status_dossier_issues_its_result(demo):
    from routing import actions, handoffs

    dossier = _dossier("1.004873", CASES["1.004873"][0])

    def drain():
        from routing.models import OutboxMessage

        while pending := list(OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True)):
            for pk in pending:
                handoffs.message_process(message_id=pk)

    approver = None
    for _ in range(10):
        drain()
        step = (
            dossier.steps.filter(state__in=["waiting", "accepted"])
            .select_related("definition", "agency")
            .first()
        )
        if step is None:
            break
        officer = officer_of(step.agency.code)
        outcome = step.definition.outcomes[0]["key"] if step.definition.outcomes else "xong"
        if step.definition.kind == "approval":
            approver = step.agency
        actions.step_complete(step=step, officer=officer, outcome=outcome)
    dossier.refresh_from_db()
    # Approved (done), then handed back to the citizen at the desk (returned).
    assert dossier.status == Dossier.Status.RETURNED
    assert dossier.settled_at is not None
    document = Document.objects.get(key=f"result:{dossier.code}")
    assert document.kind == Document.Kind.MARITAL_STATUS
    assert document.issuer == approver


def test_the_citizens_dossier_page_offers_the_result_download(demo, client):
    from django.urls import reverse

    from accounts.models import User

    dossier = _dossier("2.000815", CASES["2.000815"][0])
    page = reverse("procedures:dossier", args=[dossier.code])
    client.force_login(User.objects.get(citizen_id=dossier.applicant_citizen_id))
    assert "Tải kết quả giải quyết" not in client.get(page).content.decode()
    document = result_document_request(dossier=dossier)
    html = client.get(page).content.decode()
    assert reverse("documents:download", args=[document.code]) in html

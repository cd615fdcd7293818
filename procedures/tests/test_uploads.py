"""Issue 18, items 5 and 6, on the e-form's side: its file fields (online and at the counter, page
and API) go through the one upload check, with the virus scan; draft and dossier files are stored
under random names and a replaced draft file is deleted."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from portal.demo import DEMO_CITIZEN_ID
from procedures.drafts import draft_file_storage
from procedures.models import Draft
from uploads.tests.files import infected_pdf, pdf_upload

COPY = "chung-thuc-ban-sao-tu-ban-chinh"


@pytest.fixture
def api(demo):
    _token, key = api_token_issue(kind="user", user=User.objects.get(username=DEMO_CITIZEN_ID))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _copy_step(api):
    draft = api.post("/api/v1/drafts/", {"procedure": COPY}, format="json").json()
    step = draft["steps"][0]
    values = {**step["initial"], "document_name": "Bằng tốt nghiệp", "pages": "3", "copies": "2"}
    return draft, f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/", values


def test_an_infected_file_is_refused_on_the_e_form_page_keeping_what_was_typed(demo, client):
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    started = client.post(reverse("procedures:start", args=[COPY]))
    url = started["Location"]
    page = client.get(url)
    form = page.context["wizard"]["form"]
    data = {
        f"{form.prefix}-{name}": value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in form.initial.items()
    }
    data.update(
        {
            f"{form.prefix}-document_name": "Bằng tốt nghiệp",
            f"{form.prefix}-pages": "3",
            f"{form.prefix}-ban-chinh": infected_pdf("bang-tot-nghiep.pdf"),
            f"{page.context['wizard']['management_form'].prefix}-current_step": page.context["wizard"][
                "steps"
            ].current,
        }
    )
    page = client.post(url, data)
    html = page.content.decode()
    assert "Tệp “bang-tot-nghiep.pdf” có mã độc nên không được nhận" in html
    assert 'value="Bằng tốt nghiệp"' in html


def test_an_infected_file_is_refused_through_the_api(api):
    _draft, url, values = _copy_step(api)
    response = api.post(url, {**values, "ban-chinh": infected_pdf()}, format="multipart")
    assert response.status_code == 400
    error = response.json()["errors"]["ban-chinh"][0]
    assert error["code"] == "file_infected"
    assert "có mã độc" in error["message"]


def test_a_draft_file_is_stored_under_a_random_name_and_deleted_when_replaced(
    api, django_capture_on_commit_callbacks
):
    draft, url, values = _copy_step(api)
    storage = draft_file_storage()

    def stored():
        state = Draft.objects.get(pk=draft["id"]).state
        return [entry for files in state["step_files"].values() for entry in files.values()]

    assert (
        api.post(
            url, {**values, "ban-chinh": pdf_upload("Nguyen Thi Lan.pdf")}, format="multipart"
        ).status_code
        == 200
    )
    (first,) = stored()
    assert first["name"] == "Nguyen Thi Lan.pdf"  # shown as she named it
    assert "Nguyen" not in first["tmp_name"]
    assert first["tmp_name"].startswith(f"{draft['id']}/")
    assert storage.exists(first["tmp_name"])
    assert (
        api.post(url, {**values, "ban-chinh": pdf_upload("ban-moi.pdf")}, format="multipart").status_code
        == 200
    )
    (second,) = stored()
    assert second["name"] == "ban-moi.pdf"
    assert storage.exists(second["tmp_name"])
    assert not storage.exists(first["tmp_name"])  # the replaced file is gone

    with django_capture_on_commit_callbacks(execute=True):
        submitted = api.post(
            f"/api/v1/drafts/{draft['id']}/submit/",
            {"centre": draft["initial_centre"], "declaration": True},
            format="json",
        )
    assert submitted.status_code == 201, submitted.json()
    (attachment,) = submitted.json()["attachments"]
    assert attachment["name"] == "ban-moi.pdf"
    from procedures.models import Attachment

    stored_file = Attachment.objects.get(pk=attachment["id"]).file.name
    assert stored_file.startswith(f"dossiers/{draft['id']}/")
    assert "ban-moi" not in stored_file
    assert not storage.exists(second["tmp_name"])  # the draft's copy went with the draft

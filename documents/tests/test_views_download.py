"""The page and the API hand a document over the same way (documents/access.py): the same people,
the same file and headers, one access record each."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from documents.models import Access, Document
from portal.demo import DEMO_CITIZEN_ID


@pytest.fixture
def held(issued):
    issued.owner = User.objects.get(username=DEMO_CITIZEN_ID)
    issued.save(update_fields=["owner"])
    return issued


def _page(document, user):
    client = Client()
    client.force_login(user)
    return client.get(reverse("documents:download", args=[document.code]))


def _api(document, user):
    _token, key = api_token_issue(kind="user", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get(f"/api/v1/documents/{document.code}/download/")


@pytest.mark.parametrize("fetch", [_page, _api], ids=["page", "api"])
def test_the_holder_gets_the_pdf_as_an_attachment_and_the_download_is_logged(held, fetch):
    response = fetch(held, held.owner)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{held.code}.pdf"'
    with held.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    access = Access.objects.get(document=held)
    assert (access.action, access.user) == (Access.Action.DOWNLOAD, held.owner)


@pytest.mark.parametrize("fetch", [_page, _api], ids=["page", "api"])
def test_a_document_still_being_made_is_not_handed_over_and_nothing_is_logged(held, fetch):
    Document.objects.filter(pk=held.pk).update(status=Document.Status.PENDING)
    assert fetch(held, held.owner).status_code == 404
    assert not Access.objects.filter(document=held).exists()


@pytest.mark.parametrize("fetch", [_page, _api], ids=["page", "api"])
def test_a_stranger_gets_the_same_404_as_for_a_code_that_does_not_exist(held, fetch):
    number = "001090000001"
    stranger = User.objects.create_user(number, password="x-long-password-1", citizen_id=number)
    refused = fetch(held, stranger)
    missing = fetch(Document(code="KHONGCO123"), stranger)
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    assert not Access.objects.filter(document=held).exists()

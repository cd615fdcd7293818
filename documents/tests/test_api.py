"""The documents API: downloads only to those allowed (and logged), public verification."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from agencies.models import Agency
from documents.models import Access
from documents.services import document_generate, marital_status_confirmation_request
from portal.demo import DEMO_CITIZEN_ID
from registry.citizen_id import FEMALE, make_citizen_id


def _client_for(user) -> APIClient:
    _token, key = api_token_issue(kind="user", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def issued(demo, django_capture_on_commit_callbacks):
    lan = User.objects.get(username=DEMO_CITIZEN_ID)
    agency = Agency.objects.filter(kind="civil_status").first()
    with django_capture_on_commit_callbacks(execute=False):
        document = marital_status_confirmation_request(
            citizen_id=DEMO_CITIZEN_ID, purpose="vay-von", issuer=agency, number="12/2026", owner=lan
        )
    return document_generate(document_id=document.pk)


def test_the_holder_downloads_and_the_download_is_logged(issued):
    owner = _client_for(issued.owner)
    listed = owner.get("/api/v1/documents/").json()
    assert issued.code in [d["code"] for d in listed]
    response = owner.get(f"/api/v1/documents/{issued.code}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    access = Access.objects.get(document=issued, action="download")
    assert access.user == issued.owner
    assert access.network.endswith(".0/24")  # a network prefix, never the full address


def test_another_citizen_cannot_download(issued):
    number = make_citizen_id(province_code="079", gender=FEMALE, birth_year=1985, serial=9912)
    stranger = User.objects.create_user(username=number, password="x", citizen_id=number)
    other = _client_for(stranger)
    assert other.get(f"/api/v1/documents/{issued.code}/download/").status_code == 404
    assert other.get("/api/v1/documents/").json() == []
    assert APIClient().get(f"/api/v1/documents/{issued.code}/download/").status_code == 401
    assert not Access.objects.filter(action="download").exists()


def test_anyone_can_verify_and_sees_no_personal_data(issued):
    body = APIClient().get(f"/api/v1/documents/{issued.code.lower()}/verify/").json()
    assert body["valid"] is True
    assert body["holder_hint"] == "N. T. Lan"
    assert DEMO_CITIZEN_ID not in str(body)
    assert Access.objects.filter(document=issued, action="verify").count() == 1
    assert APIClient().get("/api/v1/documents/NOPE123456/verify/").status_code == 404

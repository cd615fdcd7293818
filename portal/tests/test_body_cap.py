"""The request body cap (portal/middleware.py): an oversize body is refused before it is read, and
under /api/ every error about a body, Django's own included, is JSON."""

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from portal.demo import DEMO_CITIZEN_ID

LOOKUP_API = "/api/v1/dossiers/lookup/"
LOOKUP_PAGE = "/tra-cuu-ho-so/"
THREE_HUNDRED_MB = 300 * 1024 * 1024


class UnreadBody:
    """A request body that fails the test if anything reads it."""

    read_from = False

    def read(self, *args):
        self.read_from = True
        raise AssertionError("the body was read")

    readline = read


def _post_unread(client, path, **meta):
    body = UnreadBody()
    response = client.generic(
        "POST", path, b"", content_type="application/json", **{"wsgi.input": body, **meta}
    )
    return response, body


@pytest.mark.parametrize(
    "path", [LOOKUP_API, "/api/v1/drafts/", "/api/v1/queue/centres/000.00.01.H26/tickets/"]
)
def test_an_api_body_declared_over_the_cap_is_refused_as_json_before_it_is_read(db, path):
    response, body = _post_unread(Client(), path, CONTENT_LENGTH=str(THREE_HUNDRED_MB))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "vượt giới hạn" in response.json()["detail"]
    assert "300 MB" in response.json()["detail"]
    assert not body.read_from


def test_a_page_body_over_the_cap_gets_a_readable_vietnamese_page(db):
    client = Client()
    client.force_login(User.objects.create_user(username="001188123456", password="x"))
    response, body = _post_unread(client, LOOKUP_PAGE, CONTENT_LENGTH=str(THREE_HUNDRED_MB))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Dữ liệu gửi lên quá lớn" in page
    assert "quay lại trang trước" in page
    assert "001188123456" in page  # the usual page around it, signed in
    assert not body.read_from


def test_the_refusal_is_in_english_for_whoever_chose_english(db):
    client = Client()
    client.cookies[project_settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _body = _post_unread(client, LOOKUP_API, CONTENT_LENGTH=str(THREE_HUNDRED_MB))
    assert response.status_code == 413
    assert "over the limit" in response.json()["detail"]


def test_a_chunked_body_without_a_length_is_refused_unread(db):
    for path, kind in ((LOOKUP_API, "application/json"), (LOOKUP_PAGE, "text/html")):
        response, body = _post_unread(Client(), path, HTTP_TRANSFER_ENCODING="chunked")
        assert response.status_code == 411
        assert response["Content-Type"].startswith(kind)
        assert not body.read_from
    assert (
        "Content-Length"
        in _post_unread(Client(), LOOKUP_API, HTTP_TRANSFER_ENCODING="chunked")[0].json()["detail"]
    )


def test_a_body_just_under_the_cap_goes_through(db, settings):
    settings.REQUEST_BODY_MAX_BYTES = 2000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = APIClient()
    body = {"code": "x" * 1800, "citizen_id": "001188123456"}
    assert client.post(LOOKUP_API, body, format="json").status_code in (400, 404)  # the view answered
    body = {"code": "x" * 2100, "citizen_id": "001188123456"}
    assert client.post(LOOKUP_API, body, format="json").status_code == 413


def test_the_default_cap_lets_the_largest_upload_through(demo):
    """A scan at the upload limit, filed through the API, is stored like any other."""
    assert project_settings.REQUEST_BODY_MAX_BYTES >= 5 * project_settings.PROCEDURES_UPLOAD_MAX_BYTES
    _token, key = api_token_issue(kind="user", user=User.objects.get(username=DEMO_CITIZEN_ID))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    draft = api.post(
        "/api/v1/drafts/", {"procedure": "chung-thuc-ban-sao-tu-ban-chinh"}, format="json"
    ).json()
    step = draft["steps"][0]
    values = {**step["initial"], "document_name": "Bằng tốt nghiệp", "pages": "3", "copies": "2"}
    limit = project_settings.PROCEDURES_UPLOAD_MAX_BYTES
    scan = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (limit - 8), "image/png")
    url = f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/"
    saved = api.post(url, {**values, "ban-chinh": scan}, format="multipart")
    assert saved.status_code == 200, saved.json()


# --- Django's own limits, answered as JSON under /api/ --------------------------------------------


def test_a_form_body_over_djangos_memory_limit_is_a_json_400(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = Client().post(LOOKUP_API, {"code": "x" * 500, "pin": "12345678"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "quá lớn" in response.json()["detail"]


def test_a_json_body_over_djangos_memory_limit_is_a_json_400(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"code": "' + "x" * 500 + '", "citizen_id": "001188123456"}'
    response = Client().post(LOOKUP_API, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_too_many_fields_is_a_json_400(db):
    fields = {f"f{i}": "x" for i in range(project_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().post(LOOKUP_API, fields)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "quá nhiều trường" in response.json()["detail"]


def test_too_many_files_is_a_json_400(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"f{i}": SimpleUploadedFile(f"{i}.png", b"\x89PNG", "image/png") for i in range(3)}
    response = Client().post(LOOKUP_API, files)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "quá nhiều tệp" in response.json()["detail"]


def test_on_pages_djangos_400_is_a_readable_vietnamese_page(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = Client().post(LOOKUP_PAGE, {"code": "x" * 500, "pin": "12345678"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_an_unknown_api_path_is_a_json_404(db):
    response = Client().get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy."}
    assert Client().get("/khong-co/").status_code == 404  # pages keep their HTML page
    assert Client().get("/khong-co/")["Content-Type"].startswith("text/html")

"""Under /api/ every answer is JSON, a body nested too deep is a 400, and the schema documents the
401, 429 and citizen-ID pattern the API really has (issue 18, item 12)."""

import json
import re

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework.test import APIClient

from portal.demo import DEMO_CITIZEN_ID
from requestlimits.parsers import MAX_DEPTH, nesting_depth

VERIFY_API = "/api/v1/documents/NO-SUCH-CODE/verify/"


def _crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/crash/", _crash), path("", include("portal.urls"))]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/no-such-path/", 404),
        ("get", "/api/v1/no-such-path/", 404),
        ("get", "/api/v1/dossiers/not a code/", 404),
        ("delete", "/api/v1/procedures/", 405),
        ("put", VERIFY_API, 405),
    ],
)
def test_every_error_under_api_is_json(db, method, path, status):
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_crash_under_api_is_json_too(db, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/api/v1/crash/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Máy chủ gặp lỗi. Hãy thử lại sau."}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_json_nested_too_deep_is_refused_with_400(db, depth, kind):
    body = "[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"Dữ liệu JSON lồng nhau quá sâu: tối đa {MAX_DEPTH} cấp."}


def test_json_at_the_limit_still_parses(db):
    body = {
        "username": "x",
        "password": "y",
        "extra": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)),
    }
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 401  # read, and the password was wrong


def test_nesting_depth_counts_without_recursing():
    assert nesting_depth(1, limit=32) == 0
    assert nesting_depth({"a": [1, {"b": []}]}, limit=32) == 4
    deep = []
    for _level in range(100_000):
        deep = [deep]
    assert nesting_depth(deep, limit=32) == 33  # stops counting past the limit


@pytest.fixture
def schema(db):
    return APIClient().get("/api/schema/?format=json").json()


def test_the_schema_documents_401_wherever_a_token_is_read_and_429_wherever_a_limit_counts(schema):
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    me = operations["GET", "/api/v1/me/"]["responses"]
    assert "401" in me
    assert "429" in me
    assert "Retry-After" in me["429"]["headers"]
    verify = operations["GET", "/api/v1/documents/{code}/verify/"]["responses"]
    assert "429" in verify
    assert "401" not in verify  # reads no token: nothing to refuse
    assert all("429" in operation["responses"] for operation in operations.values())
    assert all(
        "400" in operation["responses"] for operation in operations.values() if "requestBody" in operation
    )


def test_the_schema_gives_the_citizen_id_pattern_where_one_is_accepted(schema):
    components = schema["components"]["schemas"]
    taking = [
        (name, field, spec)
        for name, component in components.items()
        if name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if field == "citizen_id" or field.endswith("_citizen_id")
    ]
    assert taking
    for name, field, spec in taking:
        pattern = re.compile(spec["pattern"])
        assert pattern.match(DEMO_CITIZEN_ID), (name, field)
        assert not pattern.match("000000000000"), (name, field)  # no such province
        assert not pattern.match("00118812345"), (name, field)

"""Headers every answer carries, and what is switched off (issue 18, item 13)."""

import importlib

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import clear_url_caches, path

import portal.urls
from accounts.models import User

FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()")


@pytest.mark.parametrize(
    "path", ["/", "/dang-nhap/", "/api/v1/procedures/", "/api/no-such-path/", "/no-such-page/", "/health/"]
)
def test_every_answer_carries_a_permissions_policy(db, path):
    policy = Client().get(path)["Permissions-Policy"]
    for feature in FEATURES:
        assert feature in policy


def test_public_pages_may_be_cached_but_not_a_signed_in_persons(db):
    client = Client()
    assert "no-store" not in Client().get("/").get("Cache-Control", "")
    client.force_login(User.objects.create_user(username="001188123456", password="x"))
    for page in ("/", "/trang-cua-toi/", "/no-such-page/"):
        assert "no-store" in client.get(page)["Cache-Control"], page


@pytest.mark.parametrize("path", ["/api/v1/procedures/", "/api/v1/me/", "/api/no-such-path/"])
def test_api_answers_are_never_stored(db, path):
    assert "no-store" in Client().get(path)["Cache-Control"]


def _cached_for_a_minute(request):
    response = HttpResponse("the same for everyone")
    response["Cache-Control"] = "public, max-age=60"
    return response


urlpatterns = [path("cached/", _cached_for_a_minute)]


def test_a_response_that_says_how_to_cache_itself_keeps_it(db, settings):
    settings.ROOT_URLCONF = __name__
    client = Client()
    client.force_login(User.objects.create_user(username="001188123456", password="x"))
    response = client.get("/cached/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.fixture
def reload_urls():
    def reload():
        clear_url_caches()
        importlib.reload(portal.urls)

    yield reload
    reload()  # back to what the settings say after the test


def test_the_django_admin_is_off_unless_enabled(db, settings, reload_urls):
    assert settings.DJANGO_ADMIN_ENABLED is False
    assert Client().get("/django-admin/").status_code == 404
    settings.DJANGO_ADMIN_ENABLED = True
    reload_urls()
    assert Client().get("/django-admin/").status_code == 302  # to its sign-in page

"""Sign-in protection: staff two-factor sign-in, lockout after guessing, API tokens."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import api_token_issue, staff_enrolment_code_issue
from agencies.models import Centre
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _unthrottle(device):
    """django-otp slows down guessing: after a wrong code the next try must wait. Tests do not."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def _sign_in(client, username, password=DEMO_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@override_settings(ACCOUNTS_STAFF_2FA_REQUIRED=True)
def test_staff_must_enrol_then_enter_a_code_when_2fa_is_required(demo, client):
    _sign_in(client, "canbo.caugiay")
    home = client.get("/mot-cua/")
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:otp_enrol"))
    code = staff_enrolment_code_issue(user=User.objects.get(username="canbo.caugiay"))
    client.post(reverse("accounts:otp_enrol"), {"code": code, "next": "/mot-cua/"})
    enrol = client.get(home["Location"])
    assert "<svg" in enrol.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user__username="canbo.caugiay", confirmed=False)
    wrong = client.post(reverse("accounts:otp_enrol"), {"token": "000000", "next": "/mot-cua/"})
    assert wrong.status_code == 200
    assert "Mã không đúng" in wrong.content.decode()
    _unthrottle(device)
    done = client.post(reverse("accounts:otp_enrol"), {"token": _code(device), "next": "/mot-cua/"})
    assert done["Location"] == "/mot-cua/"
    assert client.get("/mot-cua/").status_code == 200
    # Next sign-in: password, then the code.
    client.logout()
    _sign_in(client, "canbo.caugiay")
    assert client.get("/mot-cua/")["Location"].startswith(reverse("accounts:otp_verify"))
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second code may not be used twice; allow it for this test
    device.save()
    client.post(reverse("accounts:otp_verify"), {"token": _code(device)})
    assert client.get("/mot-cua/").status_code == 200


@override_settings(ACCOUNTS_STAFF_2FA_REQUIRED=True)
def test_citizens_never_need_a_second_factor(demo, client):
    _sign_in(client, DEMO_CITIZEN_ID)
    assert client.get("/cong-dan/").status_code == 200


@override_settings(ACCOUNTS_STAFF_2FA_REQUIRED=True)
def test_the_api_refuses_staff_sessions_and_tokens_without_the_second_factor(demo, client):
    _sign_in(client, "canbo.caugiay")
    assert client.get("/api/v1/me/").status_code == 403
    api = APIClient()
    body = {"username": "canbo.caugiay", "password": DEMO_PASSWORD}
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 403  # not enrolled
    user = User.objects.get(username="canbo.caugiay")
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    assert api.post("/api/v1/auth/token/", body | {"otp": "000000"}, format="json").status_code == 403
    _unthrottle(device)
    issued = api.post("/api/v1/auth/token/", body | {"otp": _code(device)}, format="json")
    assert issued.status_code == 201
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.json()['key']}")
    assert api.get("/api/v1/me/").json()["username"] == "canbo.caugiay"


def test_demo_staff_sign_in_with_a_password_when_2fa_is_off(demo, client, settings):
    settings.ACCOUNTS_STAFF_2FA_REQUIRED = False
    _sign_in(client, "canbo.caugiay")
    assert client.get("/mot-cua/").status_code == 200


def test_production_settings_require_2fa_for_staff():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.ACCOUNTS_STAFF_2FA_REQUIRED)"
    env = {
        "DEBUG": "False",
        "SECRET_KEY": "x" * 60,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PATH": "/usr/bin:/bin",
    }
    import os

    env["MOTCUA_VAR_DIR"] = os.environ.get("MOTCUA_VAR_DIR", "/tmp/motcua-settings-check")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "True"


def test_guessing_passwords_locks_the_account_on_the_site_and_the_api(demo, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(2):
        assert _sign_in(client, DEMO_CITIZEN_ID, "wrong-password").status_code == 200
    assert _sign_in(client, DEMO_CITIZEN_ID, "wrong-password").status_code == 429  # the third
    locked = _sign_in(client, DEMO_CITIZEN_ID)  # even the right password, while locked out
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": DEMO_CITIZEN_ID, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert not ApiToken.objects.filter(kind="user").exists()  # the demo's kiosks hold the others


def test_the_token_endpoint_counts_failures_too(demo, settings):
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient()
    body = {"username": "canbo.badinh", "password": "nope"}
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 401
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 401
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 429
    right = api.post(
        "/api/v1/auth/token/", {"username": "canbo.badinh", "password": DEMO_PASSWORD}, format="json"
    )
    assert right.status_code == 429


def test_tokens_are_stored_hashed_and_can_be_revoked(demo):
    user = User.objects.get(username=DEMO_CITIZEN_ID)
    token, key = api_token_issue(kind="user", user=user)
    assert key not in token.digest
    assert token.prefix == key[:8]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401


def test_kiosk_tokens_are_made_by_the_centres_own_staff(demo):
    clerk = APIClient()
    _token, key = api_token_issue(kind="user", user=User.objects.get(username="canbo.caugiay"))
    clerk.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    own = Centre.objects.get(code="000.00.01.H26")
    made = clerk.post("/api/v1/auth/kiosk-tokens/", {"centre": own.code}, format="json")
    assert made.status_code == 201
    assert ApiToken.objects.get(pk=made.json()["id"]).centre == own
    other = clerk.post("/api/v1/auth/kiosk-tokens/", {"centre": "000.00.02.H26"}, format="json")
    assert other.status_code == 403
    citizen = APIClient()
    _token, key = api_token_issue(kind="user", user=User.objects.get(username=DEMO_CITIZEN_ID))
    citizen.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert citizen.post("/api/v1/auth/kiosk-tokens/", {"centre": own.code}, format="json").status_code == 403


@pytest.mark.parametrize("header", ["Bearer nope", "Token nope", "Bearer a b"])
def test_a_bad_token_is_a_401(db, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get("/api/v1/me/").status_code == 401


def test_another_persons_tokens_are_neither_listed_nor_revocable(demo):
    lan = User.objects.get(username=DEMO_CITIZEN_ID)
    theirs, _key = api_token_issue(kind="user", user=User.objects.get(username="canbo.badinh"))
    kiosk_elsewhere, _key = api_token_issue(kind="kiosk", centre=Centre.objects.get(code="000.00.02.H26"))
    _mine, key = api_token_issue(kind="user", user=lan)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = {t["id"] for t in api.get("/api/v1/auth/tokens/").json()}
    assert theirs.pk not in listed
    assert kiosk_elsewhere.pk not in listed
    assert api.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{kiosk_elsewhere.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_counter_staff_make_and_revoke_kiosk_tokens_on_a_page(demo, client):
    client.force_login(User.objects.get(username="canbo.caugiay"))
    own = Centre.objects.get(code="000.00.01.H26")
    unnamed = client.post(reverse("accounts:tokens"), {"centre": own.pk, "name": ""})
    assert unnamed.status_code == 400
    assert "Hãy đặt tên" in unnamed.content.decode()
    made = client.post(reverse("accounts:tokens"), {"centre": own.pk, "name": "Ki-ốt sảnh A"})
    key = made.context["new_key"]
    token = ApiToken.objects.get(kind="kiosk", name="Ki-ốt sảnh A")
    assert token.centre == own
    assert token.prefix == key[:8]
    elsewhere = Centre.objects.get(code="000.00.02.H26")
    assert client.post(reverse("accounts:tokens"), {"centre": elsewhere.pk, "name": "x"}).status_code == 400
    assert not ApiToken.objects.filter(centre=elsewhere, name="x").exists()
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert key not in page  # shown once, on the answer that made it
    client.post(reverse("accounts:tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None

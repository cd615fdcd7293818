"""Staff enrol their authenticator with a code from an administrator, never with the password alone."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OneTimeCode, User
from accounts.services import staff_enrolment_code_issue
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD

ENROL = reverse("accounts:otp_enrol")


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(client, username="canbo.caugiay"):
    client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})


@override_settings(ACCOUNTS_STAFF_2FA_REQUIRED=True)
def test_the_password_alone_never_shows_the_qr_code(demo, client):
    _sign_in(client)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "<svg" not in page.content.decode()
    assert "Mã đăng ký do quản trị viên cấp" in page.content.decode()
    assert not TOTPDevice.objects.filter(user__username="canbo.caugiay").exists()  # no secret made
    wrong = client.post(ENROL, {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert "<svg" not in wrong.content.decode()
    assert client.get("/mot-cua/").status_code == 302  # still nowhere without the second factor


@override_settings(ACCOUNTS_STAFF_2FA_REQUIRED=True)
def test_the_administrators_code_opens_enrolment_once(demo, client, capsys):
    call_command("staff_enrolment_code", "canbo.caugiay")
    code = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert OneTimeCode.objects.get(purpose="staff_enrolment").digest != code
    user = User.objects.get(username="canbo.caugiay")
    # A secret shown before this fix to whoever had the password must not be the one enrolled.
    stale = TOTPDevice.objects.create(user=user, name="seen by someone", confirmed=False)
    _sign_in(client)
    accepted = client.post(ENROL, {"code": code.lower().replace("-", " "), "next": "/mot-cua/"})
    assert accepted.status_code == 302
    page = client.get(ENROL)
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.pk != stale.pk
    done = client.post(ENROL, {"token": _code(device), "next": "/mot-cua/"})
    assert done["Location"] == "/mot-cua/"
    assert client.get("/mot-cua/").status_code == 200
    # The same code in another browser (someone who read it over her shoulder) opens nothing.
    TOTPDevice.objects.filter(user=user).delete()
    other = client.__class__()
    _sign_in(other)
    assert other.post(ENROL, {"code": code}).status_code == 400


def test_the_command_refuses_citizens_and_unknown_names_and_can_replace_a_lost_phone(demo, capsys):
    with pytest.raises(CommandError):
        call_command("staff_enrolment_code", "nobody.here")
    with pytest.raises(CommandError):
        call_command("staff_enrolment_code", DEMO_CITIZEN_ID)
    user = User.objects.get(username="canbo.badinh")
    TOTPDevice.objects.create(user=user, name="old phone", confirmed=True)
    call_command("staff_enrolment_code", "canbo.badinh", "--hours", "1")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()  # kept unless asked
    call_command("staff_enrolment_code", "canbo.badinh", "--replace-device")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert "valid 72 h" in capsys.readouterr().out


def test_an_enrolment_code_expires(demo, client):
    user = User.objects.get(username="canbo.caugiay")
    code = staff_enrolment_code_issue(user=user, hours=1)
    row = OneTimeCode.objects.get(user=user)
    OneTimeCode.objects.filter(pk=row.pk).update(expires_at=row.created_at)
    client.force_login(user)
    assert client.post(ENROL, {"code": code}).status_code == 400

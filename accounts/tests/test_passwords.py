"""Passwords: changing one revokes API tokens; citizens change and recover theirs with a one-time code."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import OneTimeCode, User
from accounts.services import (
    api_token_issue,
    one_time_code_issue,
    one_time_code_redeem,
    password_reset_request,
)
from notifications.channels import sms
from outbox.services import drain_all
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from registry.models import PersonRecord

NEW_PASSWORD = "Hoa-sen-no-giua-ho-2026"
LAN_PHONE = "0912345678"  # her phone in the demo registry


@pytest.fixture
def lan(demo):
    sms.outbox.clear()
    return User.objects.get(username=DEMO_CITIZEN_ID)


def _api(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def _last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)


def _sign_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_password_changed_on_her_page_revokes_her_tokens_and_keeps_this_browser(lan, client):
    _token, key = api_token_issue(kind="user", user=lan)
    assert _api(key).get("/api/v1/me/").status_code == 200
    _sign_in(client, DEMO_CITIZEN_ID, DEMO_PASSWORD)
    page = reverse("accounts:password_change")
    body = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = client.post(page, body | {"old_password": "not-her-password"})
    assert wrong.status_code == 400
    assert User.objects.get(pk=lan.pk).check_password(DEMO_PASSWORD)
    done = client.post(page, body | {"old_password": DEMO_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get(pk=lan.pk).check_password(NEW_PASSWORD)
    assert _api(key).get("/api/v1/me/").status_code == 401
    assert client.get("/cong-dan/").status_code == 200  # still signed in here


def test_a_password_changed_any_other_way_revokes_the_tokens_too(lan):
    """The admin and `manage.py changepassword` call set_password() and save(), nothing of ours."""
    _token, key = api_token_issue(kind="user", user=lan)
    kiosk, _kiosk_key = api_token_issue(kind="kiosk", centre=lan.memberships.model.objects.first().centre)
    lan.set_password(NEW_PASSWORD)
    lan.save()
    assert _api(key).get("/api/v1/me/").status_code == 401
    kiosk.refresh_from_db()
    assert kiosk.revoked_at is None  # a centre's kiosk token is nobody's password


def test_recovery_sends_a_code_to_the_registry_phone_and_sets_a_new_password(lan, client):
    _token, key = api_token_issue(kind="user", user=lan)
    asked = client.post(reverse("accounts:password_reset"), {"username": DEMO_CITIZEN_ID})
    assert asked["Location"] == reverse("accounts:password_reset_confirm")
    assert sms.outbox == []  # a worker sends it, once the request is committed
    drain_all()
    assert [m.to for m in sms.outbox] == [LAN_PHONE]
    code = _last_code()
    row = OneTimeCode.objects.get(user=lan, purpose="password_reset")
    assert code not in (row.digest, row.salt, row.address)  # only a keyed hash is stored
    body = {"username": DEMO_CITIZEN_ID, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    done = client.post(reverse("accounts:password_reset_confirm"), body | {"code": code})
    assert done["Location"] == reverse("accounts:login")
    assert User.objects.get(pk=lan.pk).check_password(NEW_PASSWORD)
    assert _api(key).get("/api/v1/me/").status_code == 401
    again = client.post(reverse("accounts:password_reset_confirm"), body | {"code": code})
    assert again.status_code == 400  # single use
    assert _sign_in(client, DEMO_CITIZEN_ID, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["no account", "no such person", "staff"])
def test_the_recovery_answer_never_says_whether_an_account_exists(lan, client, who):
    citizen_without_account = PersonRecord.objects.exclude(citizen_id=DEMO_CITIZEN_ID).first().citizen_id
    username = {"no account": citizen_without_account, "no such person": "001099000001", "staff": ""}[who]
    if who == "staff":
        staff = User.objects.get(username="canbo.caugiay")
        staff.citizen_id, staff.is_staff = citizen_without_account, True
        staff.save()
        username = citizen_without_account
    theirs = client.post(reverse("accounts:password_reset"), {"username": username}, follow=True)
    hers = client.post(reverse("accounts:password_reset"), {"username": DEMO_CITIZEN_ID}, follow=True)
    assert theirs.redirect_chain == hers.redirect_chain
    assert [str(m) for m in theirs.context["messages"]] == [str(m) for m in hers.context["messages"]]
    drain_all()
    assert [m.to for m in sms.outbox] == [LAN_PHONE]  # only the real account got a code
    body = {
        "username": username,
        "code": "123456",
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    refused = client.post(reverse("accounts:password_reset_confirm"), body)
    wrong_for_her = client.post(
        reverse("accounts:password_reset_confirm"), body | {"username": DEMO_CITIZEN_ID}
    )
    assert refused.status_code == wrong_for_her.status_code == 400
    assert refused.context["form"].errors == wrong_for_her.context["form"].errors


def test_a_code_dies_after_the_allowed_wrong_tries_and_when_it_expires(lan, settings):
    settings.ACCOUNTS_CODE_MAX_ATTEMPTS = 3
    one_time_code_issue(user=lan, purpose="password_reset", code="246810", minutes=10)
    for _try in range(3):
        assert one_time_code_redeem(user=lan, purpose="password_reset", code="000000") is None
    assert one_time_code_redeem(user=lan, purpose="password_reset", code="246810") is None
    expired = one_time_code_issue(user=lan, purpose="password_reset", code="135790", minutes=10)
    OneTimeCode.objects.filter(pk=expired.pk).update(expires_at=expired.created_at)
    assert one_time_code_redeem(user=lan, purpose="password_reset", code="135790") is None
    one_time_code_issue(user=lan, purpose="password_reset", code="111222", minutes=10)
    one_time_code_issue(user=lan, purpose="password_reset", code="333444", minutes=10)
    assert one_time_code_redeem(user=lan, purpose="password_reset", code="111222") is None  # superseded
    assert one_time_code_redeem(user=lan, purpose="password_reset", code="333444") is not None


def test_recovery_codes_are_capped_per_hour_so_nobody_floods_her_phone(lan, settings):
    settings.ACCOUNTS_CODES_PER_HOUR = 3
    for _ask in range(5):
        password_reset_request(username=DEMO_CITIZEN_ID)
    drain_all()
    assert len(sms.outbox) == 3


def test_an_email_receives_recovery_codes_only_once_she_verified_it(lan, client):
    assert lan.email
    assert lan.email_verified_at is None
    password_reset_request(username=DEMO_CITIZEN_ID)
    drain_all()
    assert mail.outbox == []
    _sign_in(client, DEMO_CITIZEN_ID, DEMO_PASSWORD)
    page = reverse("accounts:email_verify")
    client.post(page, {"email": "lan.moi@example.vn"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["lan.moi@example.vn"]
    assert client.post(page, {"code": "000000" if code != "000000" else "111111"}).status_code == 400
    assert client.post(page, {"code": code}).status_code == 302
    lan.refresh_from_db()
    assert lan.email == "lan.moi@example.vn"
    assert lan.email_verified_at is not None
    mail.outbox.clear()
    password_reset_request(username=DEMO_CITIZEN_ID)
    drain_all()
    assert [m.to for m in mail.outbox] == [["lan.moi@example.vn"]]
    assert re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1) == _last_code()


def test_the_recovery_pages_render_labels_in_vietnamese(client, db):
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert '<label for="id_username">Số định danh cá nhân</label>' in page
    page = client.get(reverse("accounts:password_reset_confirm")).content.decode()
    assert "Mã xác nhận 6 số" in page
    assert "Mật khẩu mới" in page
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()

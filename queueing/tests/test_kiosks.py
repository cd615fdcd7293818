"""Issue 18: kiosk numbers only from a kiosk the centre registered (token or signed device cookie)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import token_digest
from accounts.services import api_token_revoke
from agencies.models import Centre
from queueing.kiosks import DEVICE_COOKIE
from queueing.models import Kiosk, Ticket

from .conftest import OPEN_NOW


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(OPEN_NOW, tick=False)
    return time_machine


def test_an_anonymous_browser_gets_no_kiosk_ticket(client, centre, civil_status, clock):
    response = client.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    assert response.status_code == 403
    assert "chưa được đăng ký" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_anonymous_api_call_gets_no_kiosk_ticket(client, centre, clock):
    response = client.post(
        f"/api/v1/queue/centres/{centre.code}/tickets/",
        {"service": "A", "channel": "kiosk"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_registered_kiosk_page_issues_a_ticket(kiosk_browser, centre, civil_status, clock):
    cookie = kiosk_browser.cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    response = kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    assert response.status_code == 302
    assert Ticket.objects.get().channel == Ticket.Channel.KIOSK


def test_a_registered_kiosks_token_issues_a_ticket(centre, kiosk, clock):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {kiosk.token}")
    response = client.post(
        f"/api/v1/queue/centres/{centre.code}/tickets/",
        {"service": "A", "channel": "kiosk"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["code"] == "A001"


def test_the_registration_link_works_once_and_the_cookie_only_at_its_centre(client, centre, kiosk, clock):
    url = reverse("queueing:kiosk_register", args=[centre.code, kiosk.link_key])
    assert client.get(url).status_code == 200  # a link preview spends nothing
    assert client.post(url).status_code == 302
    second = Client()
    assert second.post(url).status_code == 403
    other = Centre.objects.get(code="000.00.02.H26")
    assert client.get(reverse("queueing:kiosk", args=[other.code])).status_code == 403


def test_a_forged_or_revoked_device_cookie_is_refused(kiosk_browser, centre, civil_status, kiosk, clock):
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = kiosk_browser.cookies[DEVICE_COOKIE].value + "x"
    assert forged.get(reverse("queueing:kiosk", args=[centre.code])).status_code == 403
    api_token_revoke(token=kiosk.kiosk.token)
    response = kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    assert response.status_code == 403


def test_kiosk_register_command_prints_the_secrets_once_and_stores_digests(centre):
    out = io.StringIO()
    call_command("kiosk_register", centre.code, "Ki-ốt tầng 1", stdout=out)
    printed = out.getvalue()
    token = printed.split("Bearer …): ")[1].split()[0]
    link = printed.split("h): ")[1].split()[0]
    kiosk = Kiosk.objects.get(name="Ki-ốt tầng 1")
    assert kiosk.token.digest == token_digest(token)
    link_key = link.rstrip("/").rsplit("/", 1)[1]
    assert kiosk.link_digest == token_digest(link_key)
    assert token not in str(list(Kiosk.objects.values()))
    assert link_key not in str(list(Kiosk.objects.values()))

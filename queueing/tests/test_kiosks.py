"""Issue 18: kiosk numbers only from a kiosk the centre registered (token or signed device cookie), and
the calls only on a display board it registered the same way."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, token_digest
from accounts.services import api_token_issue, api_token_revoke
from agencies.models import Centre
from queueing.demo import queueing_demo_load
from queueing.kiosks import BOARD_COOKIE, DEVICE_COOKIE, kiosk_revoke
from queueing.models import Kiosk, Ticket
from queueing.services import ticket_call_next, ticket_issue

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


# --- Display boards -----------------------------------------------------------------


def _called(centre, service, counter):
    ticket_issue(centre=centre, service=service, channel="kiosk", now=OPEN_NOW)
    ticket_call_next(counter=counter, now=OPEN_NOW)


def test_an_unregistered_browser_sees_no_calls_and_is_told_to_register_the_screen(
    client, centre, civil_status, counter_1, clock
):
    _called(centre, civil_status, counter_1)
    url = reverse("queueing:board", args=[centre.code])
    page = client.get(url)
    assert page.status_code == 403
    assert "phải do quản trị viên của trung tâm đăng ký" in page.content.decode()
    assert "A001" not in page.content.decode()
    # Its polling request gets no calls either.
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "A001" not in fragment.content.decode()


def test_a_registered_board_shows_the_calls(board_browser, centre, civil_status, counter_1, clock):
    cookie = board_browser.cookies[BOARD_COOKIE]
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Strict")
    assert cookie["path"] == reverse("queueing:board", args=[centre.code])
    _called(centre, civil_status, counter_1)
    page = board_browser.get(reverse("queueing:board", args=[centre.code]))
    assert page.status_code == 200
    assert 'data-code="A001" data-counter="1"' in page.content.decode()


def test_a_board_link_works_once_at_its_own_centre(client, centre, board, clock):
    url = reverse("queueing:board_register", args=[centre.code, board.link_key])
    assert client.get(url).status_code == 200  # a link preview spends nothing
    assert client.post(url).status_code == 302
    assert Client().post(url).status_code == 403
    other = Centre.objects.get(code="000.00.02.H26")
    assert client.get(reverse("queueing:board", args=[other.code])).status_code == 403


def test_a_kiosk_is_not_a_board_and_a_board_is_not_a_kiosk(kiosk_browser, centre, kiosk, board, clock):
    # A kiosk's cookie does not open the board, nor its link register one.
    assert kiosk_browser.get(reverse("queueing:board", args=[centre.code])).status_code == 403
    wrong_link = reverse("queueing:board_register", args=[centre.code, kiosk.link_key])
    assert Client().post(wrong_link).status_code == 403
    # A board's cookie does not open the kiosk, and a board has no API token.
    screen = Client()
    screen.post(reverse("queueing:board_register", args=[centre.code, board.link_key]))
    assert screen.get(reverse("queueing:kiosk", args=[centre.code])).status_code == 403
    assert board.token == ""
    assert board.kiosk.token is None


def test_a_board_can_never_hold_an_api_token(board, centre):
    token, _key = api_token_issue(kind=ApiToken.Kind.KIOSK, centre=centre, days=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kiosk.objects.filter(pk=board.kiosk.pk).update(token=token)


def test_a_revoked_board_reloads_and_says_why(board_browser, centre, board, clock):
    url = reverse("queueing:board", args=[centre.code])
    assert board_browser.get(url).status_code == 200
    kiosk_revoke(kiosk=board.kiosk)
    poll = board_browser.get(url, headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    assert board_browser.get(url).status_code == 403


def test_kiosk_revoke_stops_the_kiosk_cookie_and_its_token(kiosk_browser, centre, civil_status, kiosk, clock):
    out = io.StringIO()
    call_command("kiosk_revoke", str(kiosk.kiosk.pk), stdout=out)
    assert "revoked" in out.getvalue()
    assert kiosk_browser.get(reverse("queueing:kiosk", args=[centre.code])).status_code == 403
    assert not ApiToken.objects.get(pk=kiosk.kiosk.token_id).is_active


def test_kiosk_register_board_command_prints_a_link_and_no_token(
    client, centre, civil_status, counter_1, clock
):
    out = io.StringIO()
    call_command("kiosk_register", centre.code, "Màn hình tầng 1", "--board", stdout=out)
    printed = out.getvalue()
    assert "Bearer" not in printed
    link = printed.split("h): ")[1].split()[0]
    board = Kiosk.objects.get(name="Màn hình tầng 1")
    assert (board.role, board.token) == (Kiosk.Role.BOARD, None)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 302
    _called(centre, civil_status, counter_1)
    assert "A001" in client.get(reverse("queueing:board", args=[centre.code])).content.decode()


def test_the_demo_board_link_registers_the_demo_board(client, centre, clock):
    queueing_demo_load([centre])
    queueing_demo_load([centre])  # loading the demo again keeps one board, still armed
    assert Kiosk.objects.filter(centre=centre, role=Kiosk.Role.BOARD).count() == 1
    response = client.post(f"/xep-hang/{centre.code}/man-hinh/dang-ky/demo-board-{centre.code}/")
    assert response.url == reverse("queueing:board", args=[centre.code])
    assert client.get(response.url).status_code == 200

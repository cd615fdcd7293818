import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.services import api_token_issue
from queueing.challenge import challenge_solve
from queueing.models import Ticket

from .conftest import CLOSED_NOW, OPEN_NOW, solved_challenge


@pytest.fixture
def clock(time_machine):
    """This process's time, stopped at OPEN_NOW (time-machine); `clock.move_to(...)` moves it."""
    time_machine.move_to(OPEN_NOW, tick=False)
    return time_machine


@pytest.fixture
def client(kiosk):
    """The hall's kiosk, sending its token: the only caller that takes numbers without a name."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {kiosk.token}")


def take(client, centre_code, **data):
    return client.post(f"/api/xep-hang/{centre_code}/so/", data, content_type="application/json")


def test_services_and_waits(client, centre, clock):
    body = client.get(f"/api/xep-hang/{centre.code}/dich-vu/").json()
    assert body["open"] is True
    assert [s["letter"] for s in body["services"]] == ["A", "B", "C", "D"]
    take(client, centre.code, service="A", channel="kiosk")
    body = client.get(f"/api/xep-hang/{centre.code}/dich-vu/").json()
    assert body["services"][0]["waiting"] == 1


def test_take_a_ticket_and_follow_it(client, centre, clock, phone_code):
    first = take(client, centre.code, service="B", channel="kiosk").json()
    code = phone_code("0912345678")
    response = take(client, centre.code, service="B", channel="phone", phone="0912345678", phone_code=code)
    assert response.status_code == 201
    assert response.json()["code"] == "B002"
    status = client.get(f"/api/xep-hang/so/{response.json()['id']}/").json()
    assert status["people_ahead"] == 1
    assert first["code"] == "B001"


def test_a_phone_number_needs_a_phone_code_or_a_citizen_token(centre, clock, phone_code):
    """Issue 18: a citizen ID in the body is no proof of anything; a wrong or spent code is refused."""
    anonymous = Client()
    typed_id = take(anonymous, centre.code, service="A", channel="phone", citizen_id="001188123456")
    assert typed_id.status_code == 409
    code = phone_code("0912345678")
    wrong = take(
        anonymous, centre.code, service="A", channel="phone", phone="0912345678", phone_code="000000"
    )
    assert wrong.status_code == 409
    good = take(anonymous, centre.code, service="A", channel="phone", phone="0912345678", phone_code=code)
    assert good.status_code == 201
    spent = take(anonymous, centre.code, service="B", channel="phone", phone="0912345678", phone_code=code)
    assert spent.status_code == 409
    assert Ticket.objects.get().phone == "0912345678"
    citizen = User.objects.get(citizen_id="001188123456")
    _token, key = api_token_issue(kind="user", user=citizen, days=1)
    signed_in = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    mine = take(signed_in, centre.code, service="B", channel="phone", citizen_id="001088000001")
    assert mine.status_code == 201
    assert Ticket.objects.get(code="B001").citizen_id == "001188123456"  # her account's, not the body's


def test_the_code_is_asked_for_through_the_api_with_a_solved_challenge(centre, clock):
    anonymous = Client()
    url = "/api/v1/queue/phone-codes/"
    issued = anonymous.get("/api/v1/queue/challenge/").json()
    unsolved = anonymous.post(url, {"phone": "0987654321", "altcha": "e30="}, content_type="application/json")
    assert unsolved.status_code == 409
    solved = {"phone": "0987654321", "altcha": challenge_solve(issued)}
    assert anonymous.post(url, solved, content_type="application/json").status_code == 202
    replayed = anonymous.post(url, solved, content_type="application/json")
    assert replayed.status_code == 409
    again = {"phone": "0987654321", "altcha": solved_challenge()}
    assert anonymous.post(url, again, content_type="application/json").status_code == 409  # one a minute
    assert anonymous.post(url, {"phone": "12"}, content_type="application/json").status_code == 400


def test_unknown_centre_service_or_ticket_is_a_404_with_a_message(client, centre, clock):
    for response in (
        client.get("/api/xep-hang/000.99.99.H99/dich-vu/"),
        take(client, "000.99.99.H99", service="A", channel="kiosk"),
        take(client, centre.code, service="Z", channel="kiosk"),
        client.get("/api/xep-hang/so/6c1d2c1e-0000-4000-8000-000000000000/"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"]


def test_closed_centre_says_when_it_opens(client, centre, clock):
    clock.move_to(CLOSED_NOW)
    response = take(client, centre.code, service="A", channel="kiosk")
    assert response.status_code == 409
    assert response.json()["opens_at"].startswith("2026-11-25T08:00")
    assert "08:00" in response.json()["detail"]


def test_a_409_reveals_nothing_of_the_tickets_held(client, centre, clock, phone_code):
    first = take(
        client, centre.code, service="A", channel="phone", phone="0912345678", phone_code=phone_code()
    )
    assert first.status_code == 201
    clock.shift(61)
    response = take(
        client, centre.code, service="A", channel="phone", phone="0912345678", phone_code=phone_code()
    )
    assert response.status_code == 409
    assert "A001" not in response.content.decode()
    assert "held" not in response.json()
    assert Ticket.objects.count() == 1


def test_bad_input_is_a_400(client, centre, clock):
    response = take(client, centre.code, service="A", channel="fax")
    assert response.status_code == 400
    assert "channel" in response.json()


def test_a_malformed_phone_is_a_400_that_says_why(client, centre, clock):
    response = take(client, centre.code, service="A", channel="phone", phone="123", phone_code="123456")
    assert response.status_code == 400
    assert "phone" in response.json()


def test_the_ticket_path_keeps_the_centre_setup_for_a_few_seconds(
    client, centre, clock, settings, django_assert_max_num_queries
):
    settings.QUEUEING_SETUP_CACHE_SECONDS = 10
    take(client, centre.code, service="A", channel="kiosk")
    # No centre, service or opening-hours query: the kiosk's token, then one statement on PostgreSQL;
    # on SQLite the sequence and the ticket inside a savepoint.
    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 5):
        assert take(client, centre.code, service="A", channel="kiosk").json()["code"] == "A002"

"""The queue API under /api/v1/: kiosk tokens bound to their centre, rate limits, the old paths."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from agencies.models import Centre
from queueing.models import PhoneCode, Ticket
from requestlimits.parsers import MAX_DEPTH

from .conftest import OPEN_NOW


@pytest.fixture
def clock(time_machine):
    """This process's time, stopped at OPEN_NOW (time-machine); `clock.move_to(...)` moves it."""
    time_machine.move_to(OPEN_NOW, tick=False)
    return time_machine


def _kiosk(centre) -> APIClient:
    _token, key = api_token_issue(kind="kiosk", centre=centre, days=0)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _take(client, code, **data):
    return client.post(f"/api/v1/queue/centres/{code}/tickets/", {"service": "A", **data}, format="json")


def test_a_kiosk_token_takes_tickets_for_its_own_centre_only(centre, clock):
    kiosk = _kiosk(centre)
    assert _take(kiosk, centre.code, channel="kiosk").status_code == 201
    other = Centre.objects.get(code="000.00.02.H26")
    refused = _take(kiosk, other.code, channel="kiosk")
    assert refused.status_code == 403
    assert other.code in refused.json()["detail"]


def test_phones_are_limited_per_address_kiosks_are_not(centre, clock, settings, phone_code):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"ticket": "3/minute"}
    phone = APIClient()
    codes = [
        _take(
            phone, centre.code, channel="phone", phone=f"091234567{i}", phone_code=phone_code(f"091234567{i}")
        ).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    kiosk = _kiosk(centre)
    assert [_take(kiosk, centre.code, channel="kiosk").status_code for _ in range(4)] == [201] * 4


def test_booking_is_limited_like_the_booking_page(centre, clock, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"booking": "2/minute"}
    client = APIClient()
    url = f"/api/v1/queue/centres/{centre.code}/appointments/"
    codes = [client.post(url, {}, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    page = f"/xep-hang/{centre.code}/dat-lich/"
    assert client.post(page, {}).status_code == 429  # the page shares the same counter


def test_the_ticket_page_shares_the_tickets_limit(centre, clock, settings, client):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"ticket": "1/minute"}
    garbled = client.post(f"/xep-hang/{centre.code}/", {"service": "A", "citizen_id": "001188123456"})
    assert garbled.status_code == 400  # "choose a service", not a server error
    limited = client.post(f"/xep-hang/{centre.code}/", {"service": "1", "citizen_id": "001188123456"})
    assert limited.status_code == 429
    assert "Vui lòng thử lại sau" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0


def test_the_unversioned_queue_paths_still_answer(centre, clock, client):
    assert client.get(f"/api/xep-hang/{centre.code}/dich-vu/").status_code == 200
    assert client.get(f"/api/v1/queue/centres/{centre.code}/services/").status_code == 200


def test_codes_with_odd_characters_are_404_before_any_lookup(db, client):
    assert client.get("/api/v1/queue/centres/%00bad/services/").status_code == 404
    assert client.get("/api/v1/queue/centres/a%20b/services/").status_code == 404


@pytest.mark.parametrize("path", ["centres/000.00.01.H26/tickets/", "phone-codes/"])
def test_json_nested_5000_deep_is_a_400_and_creates_nothing(centre, clock, path):
    """Issue 18, item 12: the two views with their own parsers bound nesting like the rest of the API."""
    deep = "[" * 5_000 + "]" * 5_000
    response = Client(raise_request_exception=False).post(
        f"/api/v1/queue/{path}", deep, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"Dữ liệu JSON lồng nhau quá sâu: tối đa {MAX_DEPTH} cấp."}
    assert not Ticket.objects.exists()
    assert not PhoneCode.objects.exists()


def test_kiosks_may_still_post_a_form(centre, clock):
    _token, key = api_token_issue(kind="kiosk", centre=centre, days=0)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        f"/api/v1/queue/centres/{centre.code}/tickets/",
        "service=A&channel=kiosk",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201

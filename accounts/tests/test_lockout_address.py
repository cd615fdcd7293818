"""The sign-in lockout (django-axes) counts failures per user name *and* true client address
(requestlimits/client_address.py): behind the proxy, one attacker guessing Lan's password locks out the
attacker, never Lan (issue 18, item 7: "foreign lockouts")."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.66"
LAN = "198.51.100.20"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.AXES_FAILURE_LIMIT = 3


def _through_proxy(address, written_by_client=""):
    """What gunicorn receives from nginx: the proxy's address, and the client's appended."""
    forwarded = f"{written_by_client}, {address}" if written_by_client else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def _sign_in(client, password, **meta):
    return client.post(reverse("accounts:login"), {"username": DEMO_CITIZEN_ID, "password": password}, **meta)


def test_an_attacker_guessing_her_password_does_not_lock_lan_out(demo, behind_proxy, client):
    for attempt in range(5):
        # Rotating what he writes in X-Forwarded-For does not give him fresh tries either.
        _sign_in(client, "guess", **_through_proxy(ATTACKER, written_by_client=f"192.0.2.{attempt}"))
    locked = _sign_in(client, DEMO_PASSWORD, **_through_proxy(ATTACKER, written_by_client="192.0.2.99"))
    assert locked.status_code == 429

    lan = type(client)()
    response = _sign_in(lan, DEMO_PASSWORD, **_through_proxy(LAN))
    assert response.status_code == 302  # signed in
    assert lan.get(reverse("accounts:home")).status_code in (200, 302)
    assert "_auth_user_id" in lan.session


def test_the_token_endpoint_is_keyed_on_the_client_too(demo, behind_proxy):
    api = APIClient()
    body = {"username": DEMO_CITIZEN_ID, "password": "guess"}
    statuses = [
        api.post(
            "/api/v1/auth/token/", body, format="json", **_through_proxy(ATTACKER, f"192.0.2.{n}")
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429]
    genuine = {"username": DEMO_CITIZEN_ID, "password": DEMO_PASSWORD}
    assert api.post("/api/v1/auth/token/", genuine, format="json", **_through_proxy(LAN)).status_code == 201
    assert ApiToken.objects.filter(user__username=DEMO_CITIZEN_ID).count() == 1

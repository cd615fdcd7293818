"""Password recovery cannot be used to list who has an account, nor be run without end from one
address (issue 18, item 3): both steps do the same work whatever the number, the code is sent by a
worker after the request, and the steps are limited per client address."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import OneTimeCode, RecoveryRequest, User
from notifications.channels import sms
from outbox.services import drain_all
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from registry.models import PersonRecord

NEW_PASSWORD = "Hoa-sen-no-giua-ho-2026"
LAN_PHONE = "0912345678"  # her phone in the demo registry
NO_SUCH_PERSON = "001099000001"
WHO = ["no account", "no such person", "staff"]


@pytest.fixture
def lan(demo):
    sms.outbox.clear()
    return User.objects.get(username=DEMO_CITIZEN_ID)


@pytest.fixture
def hashed(monkeypatch):
    """How many one-time-code HMACs were computed: the real function, counted."""
    calls = []
    real = services._code_digest

    def counted(salt, code):
        calls.append(1)
        return real(salt, code)

    monkeypatch.setattr(services, "_code_digest", counted)
    return calls


def _number(who: str) -> str:
    """A citizen ID that has no account a code may be sent for, of the kind named."""
    without_account = PersonRecord.objects.exclude(citizen_id=DEMO_CITIZEN_ID).first().citizen_id
    if who == "staff":
        staff = User.objects.get(username="canbo.caugiay")
        staff.citizen_id, staff.is_staff = without_account, True
        staff.save()
    return {"no account": without_account, "no such person": NO_SUCH_PERSON, "staff": without_account}[who]


def _shape(queries) -> list[str]:
    """The statements run, without their values: the same shapes mean the same work."""
    return [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in queries]


def _work(path: str, body: dict, hashed: list) -> dict:
    """What answering one POST cost: its statements, HMACs, templates and messages sent, and its answer."""
    client = Client()  # a fresh browser each time: no session the other request created
    sent_before, hashed_before = len(sms.outbox), len(hashed)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body)
    return {
        "statements": _shape(queries.captured_queries),
        "hashes": len(hashed) - hashed_before,
        "templates": [t.name for t in response.templates],
        "sent": len(sms.outbox) - sent_before,
        "status": response.status_code,
        "location": response.get("Location"),
    }


@pytest.mark.parametrize("who", WHO)
def test_asking_for_a_code_does_the_same_work_for_a_number_without_an_account(lan, hashed, who):
    number = _number(who)
    path = reverse("accounts:password_reset")
    hers = _work(path, {"username": DEMO_CITIZEN_ID}, hashed)
    theirs = _work(path, {"username": number}, hashed)
    assert theirs == hers
    assert hers["sent"] == 0  # nothing is sent, hashed or looked up in the request itself
    assert hers["hashes"] == 0
    assert RecoveryRequest.objects.count() == 2
    drain_all()
    assert [m.to for m in sms.outbox] == [LAN_PHONE]  # the worker sent only the real account's code
    assert RecoveryRequest.objects.count() == 0  # a typed number is not kept once handled


@pytest.mark.parametrize("who", WHO)
def test_typing_a_code_does_the_same_work_for_a_number_without_an_account(lan, hashed, who):
    number = _number(who)
    services.password_reset_request(username=DEMO_CITIZEN_ID)
    drain_all()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    wrong = "000000" if code != "000000" else "111111"
    body = {"code": wrong, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    path = reverse("accounts:password_reset_confirm")
    hers = _work(path, body | {"username": DEMO_CITIZEN_ID}, hashed)
    theirs = _work(path, body | {"username": number}, hashed)
    assert theirs == hers
    assert hers["status"] == 400
    assert hers["hashes"] == 1
    assert OneTimeCode.objects.get(user=lan, purpose="password_reset").attempts == 1


def test_the_recovery_steps_refuse_past_the_per_address_limit_and_send_nothing(lan, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"recovery": "3/hour"}
    settings.ACCOUNTS_CODES_PER_HOUR = 10  # the address's limit, not the account's, is what stops it
    client = Client(REMOTE_ADDR="203.0.113.7")
    ask = reverse("accounts:password_reset")
    confirm = reverse("accounts:password_reset_confirm")
    for _ask in range(2):
        assert client.post(ask, {"username": DEMO_CITIZEN_ID}).status_code == 302
    drain_all()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    body = {"username": DEMO_CITIZEN_ID, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(confirm, body | {"code": wrong}).status_code == 400

    # The fourth POST from this address, either step, rotating X-Forwarded-For or not, is refused.
    asked = client.post(ask, {"username": DEMO_CITIZEN_ID}, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert asked.status_code == 429
    assert "Có quá nhiều yêu cầu từ thiết bị của bạn trong thời gian ngắn" in asked.text
    assert int(asked["Retry-After"]) > 0
    typed = client.post(confirm, body | {"code": code}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert typed.status_code == 429
    assert "Vui lòng thử lại sau" in typed.text
    drain_all()
    assert len(sms.outbox) == 2  # the refused request sent nothing
    assert RecoveryRequest.objects.count() == 0
    assert User.objects.get(pk=lan.pk).check_password(DEMO_PASSWORD)  # nor was her code spent

    # Another address is counted on its own: her code still works from there.
    elsewhere = Client(REMOTE_ADDR="203.0.113.8").post(confirm, body | {"code": code})
    assert elsewhere.status_code == 302
    assert User.objects.get(pk=lan.pk).check_password(NEW_PASSWORD)

"""Issue 18: one-time codes by SMS — hashed, short-lived, single-use, a few tries."""

import datetime

import pytest

from notifications.channels import sms
from queueing.models import PhoneCode
from queueing.phone_codes import phone_code_send, phone_code_use
from queueing.services import QueueError

from .conftest import OPEN_NOW


def _sent_code(django_capture_on_commit_callbacks, phone="0912345678", now=OPEN_NOW) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=phone, now=now)
    return sms.outbox[-1].text.split(": ")[1][:6]


def test_the_code_goes_by_sms_and_only_its_hmac_is_stored(db, django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    assert sms.outbox[-1].to == "0912345678"
    row = PhoneCode.objects.get()
    assert code not in row.digest
    assert phone_code_use(phone="0912345678", code=code, now=OPEN_NOW) == "0912345678"


def test_a_code_is_used_once(db, django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    phone_code_use(phone="0912345678", code=code, now=OPEN_NOW)
    with pytest.raises(QueueError):
        phone_code_use(phone="0912345678", code=code, now=OPEN_NOW)


def test_an_expired_code_is_refused(db, django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    with pytest.raises(QueueError):
        phone_code_use(phone="0912345678", code=code, now=OPEN_NOW + datetime.timedelta(minutes=6))


def test_wrong_tries_spend_the_code(db, django_capture_on_commit_callbacks, settings):
    code = _sent_code(django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.QUEUEING_PHONE_CODE_ATTEMPTS):
        with pytest.raises(QueueError):
            phone_code_use(phone="0912345678", code=wrong, now=OPEN_NOW)
    with pytest.raises(QueueError):
        phone_code_use(phone="0912345678", code=code, now=OPEN_NOW)


def test_a_second_code_waits_a_minute(db, django_capture_on_commit_callbacks):
    _sent_code(django_capture_on_commit_callbacks)
    with pytest.raises(QueueError):
        phone_code_send(phone="0912345678", now=OPEN_NOW + datetime.timedelta(seconds=30))

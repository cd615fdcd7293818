"""SMS: a channel over a gateway interface. The local gateway records the message; a real one
(a telecom's brand-name SMS API) implements `SmsGateway.send` and reports delivery later through
`notifications.services.delivery_report`."""

from __future__ import annotations

import logging
import unicodedata
import uuid
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .base import Channel, DeliveryError, SendResult, masked

logger = logging.getLogger(__name__)


class SmsGateway:
    def send(self, *, to: str, text: str) -> SendResult:
        """Hand the message to the gateway; raise DeliveryError when it refuses or is unreachable."""
        raise NotImplementedError


@dataclass(frozen=True)
class RecordedSms:
    to: str
    text: str
    provider_ref: str
    at: object


# What the local gateway "sent", newest last (like django.core.mail.outbox in tests).
outbox: list[RecordedSms] = []


class LocalSmsGateway(SmsGateway):
    """Development and tests: records the message, logs it and reports it delivered at once."""

    def send(self, *, to: str, text: str) -> SendResult:
        ref = f"local-{uuid.uuid4().hex[:16]}"
        outbox.append(RecordedSms(to=to, text=text, provider_ref=ref, at=timezone.now()))
        if settings.LOG_PERSONAL_DATA:  # `make run` only, to read one-time codes on a demo machine
            logger.info("SMS to %s: %s", to, text)
        else:
            logger.info("SMS to %s (%d characters)", masked(to), len(text))
        return SendResult(delivered=True, provider_ref=ref)


@cache
def _gateway(path: str) -> SmsGateway:
    return import_string(path)()


def sms_gateway() -> SmsGateway:
    return _gateway(settings.NOTIFICATIONS_SMS_GATEWAY)


def phone_of(citizen_id: str) -> str:
    """The phone number the population registry holds for this citizen ("" if none).

    The registry is the honest source: accounts carry no phone, the registry's record does
    (collected with the citizen's electronic identification), and it reaches citizens who
    never made an account.
    """
    if not citizen_id:
        return ""
    from registry.base import population_registry

    person = population_registry().lookup(citizen_id)
    return getattr(person, "phone", "") if person is not None else ""


def without_diacritics(text: str) -> str:
    """Brand-name SMS in Vietnam usually go unaccented: 160 characters a segment instead of 70."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


class SmsChannel(Channel):
    name = "sms"

    def body_for(self, text: str) -> str:
        return without_diacritics(text) if settings.NOTIFICATIONS_SMS_ASCII else text

    def address_for(self, *, user, citizen_id: str) -> str | None:
        return phone_of(citizen_id) or None

    def send(self, notification) -> SendResult:
        if not notification.address:
            raise DeliveryError("no phone number")
        return sms_gateway().send(to=notification.address, text=notification.body)

"""The interface of a notification channel (in-app, e-mail, SMS; Zalo or others later).

A channel answers two questions: can this person be reached, and at what address
(`address_for`), and sends one notification (`send`). Adding a channel is a class
and a line in settings.NOTIFICATIONS_CHANNELS; the core never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Notification


def masked(address: str) -> str:
    """A phone number or e-mail address as logs may show it: enough to tell two apart, not to reach
    the person (Decree 13/2023: no personal data in logs by default)."""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{'*' * max(0, len(address) - 3)}{address[-3:]}"


class DeliveryError(Exception):
    """The channel could not send this time; the service retries with backoff."""


@dataclass(frozen=True)
class SendResult:
    # True when the channel knows the message reached the person (an SMS gateway's delivery
    # report, an in-app row); False when it was only handed over (an SMTP server accepted it).
    delivered: bool = False
    provider_ref: str = ""


class Channel:
    name: str = ""
    # In-app rows are delivered by being written; nothing is sent in a worker.
    delivered_on_creation: bool = False

    def address_for(self, *, user, citizen_id: str) -> str | None:
        """Where this person receives this channel, "" when no address is needed, None if unreachable."""
        raise NotImplementedError

    def body_for(self, text: str) -> str:
        """The body as this channel carries it (e.g. SMS without diacritics); stored as sent."""
        return text

    def send(self, notification: Notification) -> SendResult:
        """Send it; raise DeliveryError for a failure worth retrying."""
        raise NotImplementedError

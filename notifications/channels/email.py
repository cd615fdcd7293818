from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .base import Channel, DeliveryError, SendResult, masked

logger = logging.getLogger(__name__)


class LoggedEmailBackend(BaseEmailBackend):
    """The embedded default's mail backend: it logs that a message went, to a masked address, with
    its subject and size; the text itself only when LOG_PERSONAL_DATA is on (`make run`). Django's
    console backend would print every recipient and body, one-time codes included, into the logs."""

    def send_messages(self, email_messages):
        for message in email_messages:
            to = ", ".join(masked(address) for address in message.recipients())
            if settings.LOG_PERSONAL_DATA:
                logger.info(
                    "e-mail to %s: %s\n%s", ", ".join(message.recipients()), message.subject, message.body
                )
            else:
                logger.info("e-mail to %s: %s (%d characters)", to, message.subject, len(message.body))
        return len(email_messages)


class EmailChannel(Channel):
    """E-mail through Django's mail backend (settings.EMAIL_BACKEND: console in the embedded
    default, SMTP or a provider's backend in production). Accepted by the server = sent."""

    name = "email"

    def address_for(self, *, user, citizen_id: str) -> str | None:
        return user.email if user is not None and user.email else None

    def send(self, notification) -> SendResult:
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
            headers={"X-MotCua-Notification": notification.key},
        )
        try:
            message.send(fail_silently=False)
        except Exception as error:  # SMTP, socket and provider errors alike: retry later
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        return SendResult(delivered=False)

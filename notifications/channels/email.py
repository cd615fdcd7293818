from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from .base import Channel, DeliveryError, SendResult


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

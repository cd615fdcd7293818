"""One-time codes by SMS: how a person without an account (or without a registry record) proves
she holds a phone before taking a number or booking (issue 18).

The code goes out through the notifications app's SMS gateway plug-in. Only an HMAC of it is
stored (a leaked table gives nobody a code); it lives a few minutes, is used once, and a few
wrong tries spend it, so guessing six digits is hopeless.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels.sms import SmsChannel, sms_gateway

from .models import PhoneCode
from .services import QueueError

# A second code to the same phone only after this pause: the gateway is paid per message.
RESEND_SECONDS = 60


def _digest(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"queueing.phone_code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def clean_phone(phone: str) -> str:
    phone = phone.replace(" ", "")
    if not (phone.isdigit() and 9 <= len(phone) <= 11):
        raise QueueError(_("Số điện thoại gồm 9 đến 11 chữ số, ví dụ 0912345678."))
    return phone


def phone_code_send(*, phone: str, now: datetime.datetime | None = None) -> PhoneCode:
    """Send a fresh six-digit code to `phone` (after the transaction commits)."""
    now = now or timezone.now()
    phone = clean_phone(phone)
    with transaction.atomic():
        recent = PhoneCode.objects.filter(
            phone=phone, created_at__gt=now - datetime.timedelta(seconds=RESEND_SECONDS)
        ).exists()
        if recent:
            raise QueueError(_("Mã vừa được gửi đến số này. Hãy chờ một phút rồi yêu cầu lại."))
        code = f"{secrets.randbelow(10**6):06d}"
        row = PhoneCode.objects.create(
            phone=phone,
            digest=_digest(phone, code),
            expires_at=now + datetime.timedelta(minutes=settings.QUEUEING_PHONE_CODE_MINUTES),
            created_at=now,
        )
        text = _("Mã xác thực MotCua: %(code)s (hiệu lực %(minutes)d phút). Không đưa mã này cho ai.") % {
            "code": code,
            "minutes": settings.QUEUEING_PHONE_CODE_MINUTES,
        }
        text = SmsChannel().body_for(text)
        transaction.on_commit(lambda: sms_gateway().send(to=phone, text=text))
    return row


def phone_code_use(*, phone: str, code: str, now: datetime.datetime | None = None) -> str:
    """Spend the code sent to `phone`; returns the phone. A wrong, expired or spent code is refused.

    A wrong try is counted and committed even though the caller's request fails, so the limit holds.
    """
    now = now or timezone.now()
    phone = clean_phone(phone)
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        matches = row is not None and row.attempts < settings.QUEUEING_PHONE_CODE_ATTEMPTS
        matches = matches and hmac.compare_digest(row.digest, _digest(phone, code.strip()))
        if row is not None:
            if matches:
                row.used_at = now
            else:
                row.attempts += 1
            row.save(update_fields=["used_at", "attempts"])
    if not matches:
        raise QueueError(_("Mã xác thực không đúng hoặc đã hết hạn. Hãy yêu cầu mã mới."))
    return phone


def person_verify(*, user, phone: str, code: str, proved_phone: str = "") -> tuple[str, str]:
    """Who takes a remote number or books, as `(citizen_id, phone)` the queue's services may trust.

    A signed-in citizen is her account's citizen ID, whatever a form or an API body says. Anyone
    else is the phone she proves now with a one-time code, or proved a moment ago in this browser
    (`proved_phone`, kept in her session so a full slot does not cost her a second SMS).
    """
    account_citizen_id = getattr(user, "citizen_id", "") if user is not None and user.is_authenticated else ""
    if account_citizen_id:
        return account_citizen_id, ""
    phone = clean_phone(phone)
    if proved_phone and phone == proved_phone:
        return "", phone
    if not code.strip():
        raise QueueError(
            _("Hãy đăng nhập, hoặc bấm “Gửi mã” rồi nhập mã xác thực gửi đến số điện thoại của bạn.")
        )
    return "", phone_code_use(phone=phone, code=code)

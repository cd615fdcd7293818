LARGE_TEXT_COOKIE = "motcua_large_text"


def text_size_set(*, user, large: bool) -> None:
    """Remember a signed-in person's text size on their account."""
    if user.is_authenticated and user.large_text != large:
        user.large_text = large
        user.save(update_fields=["large_text"])


# --- API tokens -------------------------------------------------------------


def api_token_issue(*, kind: str, user=None, centre=None, name: str = "", days: int | None = None):
    """Make a token and return (token, key). The key is not stored: show it now or never."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from .models import ApiToken, token_digest

    key = ApiToken.new_key()
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken.objects.create(
        kind=kind,
        user=user,
        centre=centre,
        name=name[:100],
        digest=token_digest(key),
        prefix=key[:8],
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    return token, key


def api_token_revoke(*, token) -> None:
    from django.utils import timezone

    from .models import ApiToken

    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every live token of this person (her apps; kiosk tokens belong to a centre)."""
    from django.utils import timezone

    from .models import ApiToken

    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Two-factor sign-in (TOTP) ----------------------------------------------


def totp_device_confirm(*, user, token: str):
    """Confirm enrolment with the first code the phone shows; None when the code is wrong."""
    from django.db import transaction

    from .selectors import totp_pending_device

    with transaction.atomic():
        device = totp_pending_device(user)
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


# --- One-time codes ---------------------------------------------------------
# Recovery codes, e-mail verification codes and staff enrolment codes share one table and one
# check: keyed hash, expiry, single use, a bounded number of tries.

ENROLMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand


def _code_digest(salt: str, code: str) -> str:
    # Keyed with SECRET_KEY: a six-digit code's plain SHA-256 falls to a million guesses offline.
    from django.utils.crypto import salted_hmac

    return salted_hmac("accounts.OneTimeCode", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def one_time_code_issue(*, user, purpose: str, code: str, minutes: int, address: str = "", issued_by=None):
    """Store a new code for this purpose (hashed); the person's earlier unused ones die with it."""
    import datetime
    import secrets

    from django.db import transaction
    from django.utils import timezone

    from .models import OneTimeCode

    now = timezone.now()
    salt = secrets.token_hex(16)
    with transaction.atomic():
        OneTimeCode.objects.filter(
            user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        return OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            salt=salt,
            digest=_code_digest(salt, _normalise_code(code)),
            address=address,
            issued_by=issued_by,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )


def one_time_code_redeem(*, user, purpose: str, code: str):
    """The person's live code for this purpose, used up now, if `code` is it; else None (one try spent)."""
    from .models import OneTimeCode

    return _redeem(OneTimeCode.objects.filter(user=user), purpose=purpose, code=code)


# Compared against when there is no live code, so that case costs what a wrong code costs.
_NO_CODE_DIGEST = "0" * 64


def _redeem(codes, *, purpose: str, code: str):
    import hmac

    from django.conf import settings
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        row = (
            codes.select_for_update()
            .filter(
                purpose=purpose,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=settings.ACCOUNTS_CODE_MAX_ATTEMPTS,
            )
            .order_by("-created_at")
            .first()
        )
        # No live code (for recovery: no account either) does the same work as a wrong one, one
        # keyed hash and one UPDATE, the way Django's ModelBackend hashes a password for a user who
        # does not exist: how long the answer takes must not say which of the two it was.
        salt, digest = (row.salt, row.digest) if row is not None else ("", _NO_CODE_DIGEST)
        matches = hmac.compare_digest(digest, _code_digest(salt, _normalise_code(code))) and row is not None
        spent = {"used_at": now} if matches else {"attempts": F("attempts") + 1}
        codes.model.objects.filter(pk=row.pk if row is not None else 0).update(**spent)
    if not matches:
        return None
    row.used_at = now
    return row


def _codes_this_hour(*, user, purpose: str) -> int:
    import datetime

    from django.utils import timezone

    from .models import OneTimeCode

    since = timezone.now() - datetime.timedelta(hours=1)
    return OneTimeCode.objects.filter(user=user, purpose=purpose, created_at__gte=since).count()


def _six_digits() -> str:
    import secrets

    return f"{secrets.randbelow(10**6):06d}"


def _send_sms(*, to: str, text: str) -> None:
    """Through the SMS gateway notifications use (settings.NOTIFICATIONS_SMS_GATEWAY, a plug-in).

    Not through `notify()`: a notification row keeps its body, and a code must be stored hashed only.
    """
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    try:
        import_string(settings.NOTIFICATIONS_SMS_GATEWAY)().send(to=to, text=text)
    except Exception:  # noqa: BLE001 — the page's answer must not change; she can ask again
        logging.getLogger(__name__).warning("one-time code SMS not sent", exc_info=True)


def _send_email(*, to: str, subject: str, text: str) -> None:
    import logging

    from django.conf import settings
    from django.core.mail import send_mail

    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except Exception:  # noqa: BLE001 — as for SMS
        logging.getLogger(__name__).warning("one-time code e-mail not sent", exc_info=True)


# --- Passwords --------------------------------------------------------------


def password_set(*, user, password: str):
    """Give the person a new password. Her API tokens are revoked by the password-change hook
    (accounts.passwords), which every way of changing a password goes through."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def password_reset_request(*, username: str) -> None:
    """Step 1 of recovery: record that someone asked for a code for this citizen ID; a worker sends
    it (`recovery_codes_send`, an outbox source) once this commits.

    Returns nothing, whatever the number: the page's answer must not tell whether the account
    exists, has a phone, or was asked for too often (SMS flooding of someone's phone). Nor may the
    time it takes: when the request looked the account up, asked the registry for her phone, made
    a code and called the SMS gateway, a real account answered measurably later than a number
    without one, and the time listed who has an account. A dummy of that work on the missing path
    would have to imitate the registry and the gateway (both remote, both variable); moving all of
    it behind the commit makes the request the same one INSERT for everybody.
    """
    from django.db import transaction
    from django.utils import translation

    from outbox.services import wake

    from .models import RecoveryRequest

    with transaction.atomic():
        RecoveryRequest.objects.create(
            citizen_id=(username or "").strip()[:12], language=translation.get_language() or ""
        )
        wake()


def recovery_codes_send(*, limit: int) -> int:
    """Handle up to `limit` recovery requests, oldest first: for a citizen account, a new code to the
    phone the population registry holds and to her verified e-mail. Returns how many were handled.

    Each request is claimed (SKIP LOCKED), its code stored and the request deleted in one
    transaction, and the code sent after it commits: two workers never send one request twice, and
    a worker that dies before sending leaves her to ask again (a code sent twice would cost two SMS).
    """
    from django.db import transaction
    from django.utils import translation

    from .models import RecoveryRequest

    handled = 0
    while handled < limit:
        with transaction.atomic():
            request = (
                RecoveryRequest.objects.select_for_update(skip_locked=True)
                .order_by("created_at", "pk")
                .first()
            )
            if request is None:
                break
            request.delete()
            with translation.override(request.language or None):
                message = _recovery_code_issue(citizen_id=request.citizen_id)
        handled += 1
        if message is not None:
            phone, email, subject, text = message
            if phone:
                _send_sms(to=phone, text=text)
            if email:
                _send_email(to=email, subject=subject, text=text)
    return handled


def _recovery_code_issue(*, citizen_id: str) -> tuple[str, str, str, str] | None:
    """A new recovery code for the citizen account with this ID, as (phone, e-mail, subject, text)
    to send; None when there is no such account, nowhere to send, or she had her codes this hour."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from .models import OneTimeCode
    from .selectors import recovery_destinations, recovery_user

    user = recovery_user(citizen_id)
    if user is None:
        return None
    phone, email = recovery_destinations(user)
    if not phone and not email:
        return None
    purpose = OneTimeCode.Purpose.PASSWORD_RESET
    if _codes_this_hour(user=user, purpose=purpose) >= settings.ACCOUNTS_CODES_PER_HOUR:
        return None
    code = _six_digits()
    minutes = settings.ACCOUNTS_RESET_CODE_MINUTES
    one_time_code_issue(user=user, purpose=purpose, code=code, minutes=minutes)
    text = _(
        "MotCua: mã lấy lại mật khẩu của bạn là %(code)s, dùng được trong %(minutes)s phút. "
        "Không đưa mã này cho ai, kể cả cán bộ."
    ) % {"code": code, "minutes": minutes}
    return phone, email, _("Mã lấy lại mật khẩu MotCua"), text


def password_reset_confirm(*, username: str, code: str, password: str):
    """The new password, if `code` is her live recovery code; else None.

    An unknown number, a staff account and a wrong code answer alike and cost alike (`_redeem`):
    the live code is looked for through the account in one query, never after a separate look-up
    of the account that an unknown number would skip.
    """
    from .models import OneTimeCode
    from .selectors import recovery_users

    codes = OneTimeCode.objects.filter(user__in=recovery_users(username))
    row = _redeem(codes, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=code)
    if row is None:
        return None
    return password_set(user=row.user, password=password)


# --- E-mail verification ----------------------------------------------------


def email_verification_send(*, user, email: str) -> bool:
    """Send a code to this address; False when she asked too often this hour."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from .models import OneTimeCode

    purpose = OneTimeCode.Purpose.EMAIL_VERIFY
    if _codes_this_hour(user=user, purpose=purpose) >= settings.ACCOUNTS_CODES_PER_HOUR:
        return False
    code = _six_digits()
    minutes = settings.ACCOUNTS_RESET_CODE_MINUTES
    one_time_code_issue(user=user, purpose=purpose, code=code, minutes=minutes, address=email)
    text = _("MotCua: mã xác minh e-mail của bạn là %(code)s, dùng được trong %(minutes)s phút.") % {
        "code": code,
        "minutes": minutes,
    }
    _send_email(to=email, subject=_("Mã xác minh e-mail MotCua"), text=text)
    return True


def email_verification_confirm(*, user, code: str):
    """Her e-mail becomes the address the code went to, verified; None when the code is wrong."""
    from django.utils import timezone

    from .models import OneTimeCode

    row = one_time_code_redeem(user=user, purpose=OneTimeCode.Purpose.EMAIL_VERIFY, code=code)
    if row is None:
        return None
    user.email = row.address
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    return user


# --- Staff enrolment --------------------------------------------------------


def staff_enrolment_code_issue(
    *, user, issued_by=None, hours: int | None = None, replace_device: bool = False
) -> str:
    """A code an administrator hands to a member of staff to enrol her authenticator; returns it.

    Without it, whoever first signs in with a staff member's password (a leaked or default one)
    would bind their own phone as her second factor. `replace_device` (a lost phone) removes her
    confirmed authenticator, so her next sign-in asks for this code.
    """
    import secrets

    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import OneTimeCode

    hours = settings.ACCOUNTS_ENROLMENT_CODE_HOURS if hours is None else hours
    if replace_device:
        TOTPDevice.objects.filter(user=user).delete()
    code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(12))
    one_time_code_issue(
        user=user,
        purpose=OneTimeCode.Purpose.STAFF_ENROLMENT,
        code=code,
        minutes=hours * 60,
        issued_by=issued_by,
    )
    return "-".join(code[i : i + 4] for i in range(0, 12, 4))


def staff_enrolment_start(*, user, code: str):
    """Use the enrolment code; on success a fresh, unconfirmed TOTP device to show as a QR code.

    Devices left unconfirmed before are deleted: their secret may have been shown to someone else.
    """
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import OneTimeCode

    if one_time_code_redeem(user=user, purpose=OneTimeCode.Purpose.STAFF_ENROLMENT, code=code) is None:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="MotCua", confirmed=False)

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


# --- Two-factor sign-in (TOTP) ----------------------------------------------


def totp_device_start(*, user):
    """The person's enrolment device: a new secret until they confirm it with a first code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="MotCua", confirmed=False)
    return device


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

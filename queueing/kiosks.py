"""Registered kiosks: the only machines that give out kiosk numbers (issue 18).

A number taken at the kiosk needs no identity (the person stands in the hall), so what keeps a
script from emptying the day's numbers is that only a machine the centre registered may take
one: by its API token (`Authorization: Bearer …`) or, for the kiosk page, by a device key in a
signed, HttpOnly cookie that a one-time registration link sets.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, token_digest
from accounts.services import api_token_issue
from agencies.models import Centre

from .models import Kiosk
from .services import QueueError

DEVICE_COOKIE = "motcua_kiosk"
DEVICE_COOKIE_SALT = "queueing.kiosk.device"


@dataclass(frozen=True)
class KioskRegistered:
    kiosk: Kiosk
    # Shown once, never stored: the bearer token for the API and the one-time link for the page.
    token: str
    link_key: str


def kiosk_register(
    *, centre: Centre, name: str, link_key: str | None = None, now: datetime.datetime | None = None
) -> KioskRegistered:
    """Register a kiosk of `centre`: a kiosk API token and a one-time link that registers a browser.

    `link_key` is for the demo data only (a link everyone knows, like the demo passwords).
    """
    now = now or timezone.now()
    link_key = link_key or secrets.token_urlsafe(24)
    with transaction.atomic():
        token, key = api_token_issue(kind=ApiToken.Kind.KIOSK, centre=centre, name=name, days=0)
        kiosk = Kiosk.objects.create(
            centre=centre,
            name=name[:100],
            token=token,
            link_digest=token_digest(link_key),
            link_expires_at=now + datetime.timedelta(hours=settings.QUEUEING_KIOSK_LINK_HOURS),
            created_at=now,
        )
    return KioskRegistered(kiosk=kiosk, token=key, link_key=link_key)


def kiosk_link_redeem(
    *, centre: Centre, link_key: str, now: datetime.datetime | None = None
) -> tuple[Kiosk, str]:
    """Use a registration link once: returns the kiosk and the device key for its cookie.

    The link's digest is cleared in the same update that checks it, so two browsers opening one
    link cannot both become the kiosk.
    """
    now = now or timezone.now()
    device_key = secrets.token_urlsafe(32)
    with transaction.atomic():
        kiosk = (
            Kiosk.objects.select_for_update()
            .filter(centre=centre, link_digest=token_digest(link_key), link_expires_at__gt=now)
            .filter(token__revoked_at__isnull=True)
            .first()
        )
        if kiosk is None:
            raise QueueError(_("Đường dẫn đăng ký ki-ốt không đúng, đã dùng hoặc đã hết hạn."))
        kiosk.link_digest = None
        kiosk.link_expires_at = None
        kiosk.device_digest = token_digest(device_key)
        kiosk.registered_at = now
        kiosk.save(update_fields=["link_digest", "link_expires_at", "device_digest", "registered_at"])
    return kiosk, device_key


DEMO_KIOSK_NAME = "Ki-ốt demo"


def demo_kiosk_link_key(centre: Centre) -> str:
    """The demo kiosk's registration link key: public, like the demo passwords (demo data only)."""
    return f"demo-{centre.code}"


def kiosk_demo_arm(*, centre: Centre, now: datetime.datetime | None = None) -> Kiosk:
    """The demo centre's kiosk, its registration link (re)armed so `make run`'s kiosk page works:
    open /xep-hang/<centre>/kiosk/dang-ky/demo-<centre>/ once on the machine."""
    now = now or timezone.now()
    kiosk = Kiosk.objects.filter(centre=centre, name=DEMO_KIOSK_NAME, token__revoked_at__isnull=True).first()
    if kiosk is None:
        return kiosk_register(
            centre=centre, name=DEMO_KIOSK_NAME, link_key=demo_kiosk_link_key(centre), now=now
        ).kiosk
    digest = token_digest(demo_kiosk_link_key(centre))
    if kiosk.link_digest == digest and kiosk.link_expires_at and kiosk.link_expires_at > now:
        return kiosk  # still armed: loading the demo again changes nothing
    kiosk.link_digest = digest
    kiosk.link_expires_at = now + datetime.timedelta(hours=settings.QUEUEING_KIOSK_LINK_HOURS)
    kiosk.save(update_fields=["link_digest", "link_expires_at"])
    return kiosk

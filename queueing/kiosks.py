"""Registered machines of the hall: ticket kiosks and display boards (issue 18).

A number taken at the kiosk needs no identity (the person stands in the hall), so what keeps a
script from emptying the day's numbers is that only a machine the centre registered may take
one: by its API token (`Authorization: Bearer …`) or, for the kiosk page, by a device key in a
signed, HttpOnly cookie that a one-time registration link sets. A display board is registered
the same way (the same link, the same cookie, its own cookie name), so a screen in the hall shows
the calls and no one else's browser does; it has no API token.
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
from accounts.services import api_token_issue, api_token_revoke
from agencies.models import Centre

from .models import Kiosk
from .selectors import devices_active
from .services import QueueError

Role = Kiosk.Role


@dataclass(frozen=True)
class DeviceCookie:
    name: str
    # Signing salt per role: a kiosk's cookie value is not accepted as a board's, nor the reverse.
    salt: str


DEVICE_COOKIES = {
    Role.KIOSK: DeviceCookie("motcua_kiosk", "queueing.kiosk.device"),
    Role.BOARD: DeviceCookie("motcua_board", "queueing.board.device"),
}
DEVICE_COOKIE = DEVICE_COOKIES[Role.KIOSK].name
DEVICE_COOKIE_SALT = DEVICE_COOKIES[Role.KIOSK].salt
BOARD_COOKIE = DEVICE_COOKIES[Role.BOARD].name


@dataclass(frozen=True)
class KioskRegistered:
    kiosk: Kiosk
    # Shown once, never stored: the bearer token for the API (kiosks only, else "") and the
    # one-time link that registers a browser.
    token: str
    link_key: str


def kiosk_register(
    *,
    centre: Centre,
    name: str,
    role: str = Role.KIOSK,
    link_key: str | None = None,
    now: datetime.datetime | None = None,
) -> KioskRegistered:
    """Register a kiosk or a board of `centre`: a one-time link that registers a browser, and for a
    kiosk an API token.

    `link_key` is for the demo data only (a link everyone knows, like the demo passwords).
    """
    now = now or timezone.now()
    link_key = link_key or secrets.token_urlsafe(24)
    with transaction.atomic():
        token = key = None
        if role == Role.KIOSK:
            token, key = api_token_issue(kind=ApiToken.Kind.KIOSK, centre=centre, name=name, days=0)
        kiosk = Kiosk.objects.create(
            centre=centre,
            role=role,
            name=name[:100],
            token=token,
            link_digest=token_digest(link_key),
            link_expires_at=now + datetime.timedelta(hours=settings.QUEUEING_KIOSK_LINK_HOURS),
            created_at=now,
        )
    return KioskRegistered(kiosk=kiosk, token=key or "", link_key=link_key)


def kiosk_link_redeem(
    *, centre: Centre, link_key: str, role: str = Role.KIOSK, now: datetime.datetime | None = None
) -> tuple[Kiosk, str]:
    """Use a registration link once: returns the machine and the device key for its cookie.

    The link's digest is cleared in the same update that checks it, so two browsers opening one
    link cannot both become the machine. A kiosk's link does not register a board, nor the reverse.
    """
    now = now or timezone.now()
    device_key = secrets.token_urlsafe(32)
    with transaction.atomic():
        kiosk = (
            devices_active()
            .select_for_update(of=("self",))  # the token is on the nullable side of a left join
            .filter(centre=centre, role=role, link_digest=token_digest(link_key), link_expires_at__gt=now)
            .first()
        )
        if kiosk is None:
            if role == Role.BOARD:
                raise QueueError(_("Đường dẫn đăng ký màn hình gọi số không đúng, đã dùng hoặc đã hết hạn."))
            raise QueueError(_("Đường dẫn đăng ký ki-ốt không đúng, đã dùng hoặc đã hết hạn."))
        kiosk.link_digest = None
        kiosk.link_expires_at = None
        kiosk.device_digest = token_digest(device_key)
        kiosk.registered_at = now
        kiosk.save(update_fields=["link_digest", "link_expires_at", "device_digest", "registered_at"])
    return kiosk, device_key


def kiosk_revoke(*, kiosk: Kiosk, now: datetime.datetime | None = None) -> Kiosk:
    """Revoke a kiosk or a board: its device cookie, its link and (a kiosk's) API token stop working."""
    now = now or timezone.now()
    with transaction.atomic():
        kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
        if kiosk.revoked_at is None:
            kiosk.revoked_at = now
            kiosk.link_digest = None
            kiosk.link_expires_at = None
            kiosk.save(update_fields=["revoked_at", "link_digest", "link_expires_at"])
        if kiosk.token_id:
            api_token_revoke(token=kiosk.token)
    return kiosk


DEMO_NAMES = {Role.KIOSK: "Ki-ốt demo", Role.BOARD: "Màn hình demo"}
DEMO_KIOSK_NAME = DEMO_NAMES[Role.KIOSK]


def demo_link_key(centre: Centre, role: str = Role.KIOSK) -> str:
    """The demo machine's registration link key: public, like the demo passwords (demo data only).

    Link digests are unique across kiosks and boards, so the two keys differ."""
    return f"demo-{centre.code}" if role == Role.KIOSK else f"demo-board-{centre.code}"


def kiosk_demo_arm(*, centre: Centre, role: str = Role.KIOSK, now: datetime.datetime | None = None) -> Kiosk:
    """The demo centre's kiosk (or board), its registration link (re)armed so `make run`'s kiosk and
    board work: open /xep-hang/<centre>/kiosk/dang-ky/demo-<centre>/ (the board:
    /xep-hang/<centre>/man-hinh/dang-ky/demo-board-<centre>/) once on the machine."""
    now = now or timezone.now()
    name, key = DEMO_NAMES[role], demo_link_key(centre, role)
    kiosk = devices_active().filter(centre=centre, role=role, name=name).first()
    if kiosk is None:
        return kiosk_register(centre=centre, name=name, role=role, link_key=key, now=now).kiosk
    digest = token_digest(key)
    if kiosk.link_digest == digest and kiosk.link_expires_at and kiosk.link_expires_at > now:
        return kiosk  # still armed: loading the demo again changes nothing
    kiosk.link_digest = digest
    kiosk.link_expires_at = now + datetime.timedelta(hours=settings.QUEUEING_KIOSK_LINK_HOURS)
    kiosk.save(update_fields=["link_digest", "link_expires_at"])
    return kiosk

"""Signs of life and leases: written by the long-running processes, read by the status page."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Beacon, Lease


def beacon_touch(*, name: str, detail: dict | None = None) -> Beacon:
    """Record that `name` is alive now (one row per name, updated in place)."""
    now = timezone.now()
    beacon, _created = Beacon.objects.update_or_create(
        name=name, defaults={"seen_at": now, "detail": detail or {}}
    )
    return beacon


def beacons_forget(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Forget the beacons of processes gone for good (a relay's name carries its pid)."""
    deleted, _ = Beacon.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted


def lease_hold(*, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `holder` for `seconds`; False while another holds it.

    One conditional UPDATE decides, so two processes asking at the same moment cannot both win:
    the row is renewed only by its holder, or taken by anyone once it has expired."""
    now = timezone.now()
    until = now + datetime.timedelta(seconds=seconds)
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=until, renewed_at=now)
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=until, renewed_at=now)
    except IntegrityError:  # it exists and another process holds it
        return False
    return True


def lease_release(*, name: str, holder: str) -> bool:
    """Give the lease up at a clean stop, so another process need not wait for it to expire."""
    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=timezone.now()))

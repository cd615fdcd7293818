"""Celery beat's scheduler with a lease in the database, so that any number of schedulers may run
(two machines for redundancy, or a second one started by mistake) and exactly one sends the
periodic tasks; another takes over within HEALTH_BEAT_LEASE_SECONDS when the holder dies.

It also keeps beat alive through faults: a tick that fails (database down, broker down, anything)
is logged and tried again a moment later, never allowed to end the process (issue 17: beat
died for good on the first failed send)."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections, connection

from . import services

logger = logging.getLogger(__name__)

LEASE = "beat"


class LeasedScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._renew_at = 0.0  # monotonic time of the next renewal while the lease is held
        self._holding = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        try:
            if not self._lease_held():
                return settings.HEALTH_BEAT_STANDBY_SECONDS
            return min(super().tick(*args, **kwargs), max(0.0, self._renew_at - time.monotonic()))
        except Exception:  # noqa: BLE001 - nothing may end the scheduler; the next tick tries again
            logger.exception("scheduler tick failed; trying again in a second")
            self._renew_at = 0.0  # confirm the lease before sending anything again
            return 1.0

    def _lease_held(self) -> bool:
        if self._holding and time.monotonic() < self._renew_at:
            return True
        if not connection.in_atomic_block:  # (a test's transaction)
            close_old_connections()  # a database restarted since the last tick is reconnected to
        lease = settings.HEALTH_BEAT_LEASE_SECONDS
        held = services.lease_hold(name=LEASE, holder=self.holder, seconds=lease)
        if held != self._holding:
            if held:
                logger.info("scheduler %s holds the lease and sends the periodic tasks", self.holder)
            else:
                logger.warning("scheduler %s lost the lease; another scheduler sends the tasks", self.holder)
        self._holding = held
        self._renew_at = time.monotonic() + lease / 3
        return held

    def close(self) -> None:
        try:
            if self._holding:
                services.lease_release(name=LEASE, holder=self.holder)
        except Exception:  # noqa: BLE001 - at a stop, an unreachable database only delays the next holder
            logger.warning("scheduler could not release its lease", exc_info=True)
        super().close()

"""The relay: one long-running process (or several, on several machines) that carries on what
transactions wrote, as soon as they commit.

On PostgreSQL it LISTENs on `services.CHANNEL` on a connection of its own, so a filing's commit
wakes it within milliseconds and a burst of filings is entered in one batch; it also drains every
OUTBOX_SWEEP_SECONDS without being woken, which catches what a missed notification or a broker
outage left behind. On SQLite (the embedded default) it polls every OUTBOX_POLL_SECONDS.

LISTEN needs a session of its own: point the relay at PostgreSQL directly or through a
session-pooled connection, never a transaction-pooled one (PgBouncer's transaction mode drops the
LISTEN). While the broker is down, the relay does the routing workers' share itself (entering and
hand-offs; notifications, PDFs and other agencies' calls wait in their tables), on
OUTBOX_RELAY_THREADS threads of its own (one on SQLite, whose writers take turns). Every failure
(database restarted, broker down) is logged and retried with back-off; the relay only stops when
told to.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection

from health.services import beacon_touch

from . import services

logger = logging.getLogger(__name__)


class _Listener:
    """A PostgreSQL connection that LISTENs on the outbox channel, reconnected when it breaks."""

    def __init__(self) -> None:
        self._conn = None

    def _connect(self):
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {services.CHANNEL}")
        return conn

    def ensure(self) -> None:
        """Listen before draining, so no commit between the drain and the wait goes unnoticed."""
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()

    def wait(self, timeout: float) -> bool:
        """Block until a notification or `timeout`; True when woken."""
        self.ensure()
        woken = False
        for _notify in self._conn.notifies(timeout=timeout, stop_after=1):
            woken = True
        if woken:  # the others queued meanwhile: one drain covers them all
            for _notify in self._conn.notifies(timeout=0):
                pass
        return woken

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


class Relay:
    def __init__(self) -> None:
        self.name = f"relay:{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._listener = _Listener() if connection.vendor == "postgresql" else None
        self._beacon_at = 0.0
        self._done = 0
        self._threads = settings.OUTBOX_RELAY_THREADS if self._listener is not None else 1
        self._pool = None

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run(self, *, passes: int | None = None) -> None:
        """Drain, wait, repeat until stopped (or for `passes` passes, for tests)."""
        failures = 0
        while not self.stopping.is_set() and (passes is None or passes > 0):
            try:
                self.one_pass()
                failures = 0
            except Exception:  # noqa: BLE001 - a fault (database restart, …) must never end the relay
                failures += 1
                delay = min(10.0, 0.5 * 2**failures)
                logger.exception("relay pass failed; again in %.1f s", delay)
                self._reset_connections()
                self.stopping.wait(delay)
            if passes is not None:
                passes -= 1
        if passes is None:  # a relay that ran until stopped leaves nothing open
            self.close()

    def close(self) -> None:
        """Close its connections and end its threads (a relay run for a number of passes, in tests)."""
        self._reset_connections()

    def one_pass(self) -> int:
        if not connection.in_atomic_block:  # (a test's transaction)
            close_old_connections()  # health-checks a connection a restarted database broke
        if self._listener is not None:
            self._listener.ensure()
        done, again_in = services.relay_pass(share=self._share)
        self._done += done
        self._beacon()
        if done:
            return done  # there may be more: drain again before waiting
        self._wait(again_in)
        return 0

    def _share(self, *, limit: int | None = None) -> int:
        """The workers' share, done here while the broker is down: on several threads, each with its
        own database connection. A filing and its hand-off cost the relay as much waiting for
        PostgreSQL's answers as computing, so one thread fell 35 s behind 10 filings a second during
        bench/faults.py's 60 s outage, and the backlog it left took the workers a minute more; the
        threads claim different dossiers and hand-offs (SKIP LOCKED), never the same one."""
        if self._threads <= 1 or connection.in_atomic_block:  # (a test's transaction, unseen by others)
            return services.drain_while_broker_down(limit=limit)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="relay-share")
        return sum(self._pool.map(lambda _n: _share_on_this_thread(limit), range(self._threads)))

    def _wait(self, again_in: float | None = None) -> None:
        listening = self._listener is not None
        longest = settings.OUTBOX_SWEEP_SECONDS if listening else settings.OUTBOX_POLL_SECONDS
        deadline = time.monotonic() + (longest if again_in is None else min(longest, again_in))
        # In slices of at most a second, so a stop request is honoured promptly.
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self._listener is None:
                self.stopping.wait(min(1.0, left))
            elif self._listener.wait(min(1.0, left)):
                return

    def _beacon(self) -> None:
        now = time.monotonic()
        if now - self._beacon_at < settings.OUTBOX_BEACON_SECONDS:
            return
        beacon_touch(name=self.name, detail={"done": self._done})
        self._beacon_at = now

    def _reset_connections(self) -> None:
        if self._listener is not None:
            self._listener.close()
        if self._pool is not None:  # its threads' connections close with them
            self._pool.shutdown(wait=True)
            self._pool = None
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail even to close
            logger.debug("closing the database connection failed", exc_info=True)


def _share_on_this_thread(limit: int | None) -> int:
    """One thread's part of the workers' share, on a connection of its own (Django keeps one per
    thread), closed at the end: the threads work only while the broker is down, and a connection
    left open in an idle thread would outlive a restarted database."""
    try:
        return services.drain_while_broker_down(limit=limit)
    finally:
        connection.close()

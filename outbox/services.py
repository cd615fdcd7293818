"""The outbox: work written in a transaction is carried on after it commits, by the relay
(`outbox/relay.py`) woken at once, or by the scheduler's sweep when no relay runs.

Three calls for the other apps:
- `wake()`: in a writer's transaction, wake the relay when it commits (filing, the busiest writer,
  puts the same `pg_notify(CHANNEL, '')` in its own statement instead, to spare a round trip);
- `publish(...)`: hand a task to the broker without ever failing the caller, because what was not
  published is still in the database and a source's `drain` publishes it later;
- `drain_all()`: one pass over every source (the relay's loop, the sweep task, tests).
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connection

from .registry import sources

logger = logging.getLogger(__name__)

# The PostgreSQL channel the relay listens on. A NOTIFY is delivered when its transaction commits,
# and not at all when it rolls back, so the relay never wakes for work that does not exist.
CHANNEL = "motcua_outbox"


def wake() -> None:
    """Wake the relay when the caller's transaction commits (PostgreSQL delivers a NOTIFY then, and
    only then; several in one transaction arrive as one). On SQLite the relay polls instead."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def _drain(source, *, limit: int | None = None, batches: int | None = None) -> int:
    """Work off what one source has waiting, in at most `batches` bounded batches."""
    limit = limit or settings.OUTBOX_BATCH
    total = 0
    for _batch in range(batches or settings.OUTBOX_BATCHES_PER_PASS):
        done = source.drain(limit=limit)
        total += done
        if done < limit:
            break
    return total


def _drain_logged(source, *, limit: int | None = None, batches: int | None = None) -> int:
    """`_drain`, where a failing source is logged and does not stop the others (a hand-off cannot be
    published while Redis is down, but dossiers are still entered)."""
    try:
        return _drain(source, limit=limit, batches=batches)
    except Exception:  # noqa: BLE001 - one source's failure must not stop the relay or the others
        logger.exception("outbox source %s failed; the next pass tries again", source.name)
        return 0


def drain_source(*, name: str, limit: int | None = None) -> int:
    """One batch of what one source has waiting (tests; a task that names its source)."""
    return sum(_drain(source, limit=limit, batches=1) for source in sources() if source.name == name)


def drain_share(*, limit: int | None = None) -> int:
    """A worker's share of the relay's work: one batch of each source the workers drain, in the
    order of OUTBOX_SOURCES.

    One task carries a filing through every stage that waits: the batch of dossiers it enters writes
    their hand-offs, which the same task delivers next, so a filing reaches an inbox after one trip
    through the broker, not one per stage (bench/handoff.py: p50 594 ms and p95 3,012 ms with a task
    per source). One batch each, not the whole backlog: a task ends after seconds, and after an
    outage the backlog is worked off by many tasks side by side, each entering and delivering,
    rather than by tasks entering for 15 s while the entered dossiers' hand-offs wait
    (bench/faults.py). A failing source is logged and does not stop the others."""
    return sum(_drain_logged(source, limit=limit, batches=1) for source in sources() if source.in_workers)


DRAIN_TASK = "outbox.drain"
_dispatched_at: dict[str, float] = {}


def relay_pass(*, limit: int | None = None, share=None) -> tuple[int, float | None]:
    """The relay's pass. The sources the workers drain, when any has work waiting, are handed to them
    as one task (`drain_share`); the others are drained here, one batch each, and so is the workers'
    share while the broker is unreachable.

    A task goes out at most once per OUTBOX_DISPATCH_SECONDS, however many commits woke the relay,
    and only while the broker holds no task that no worker has taken yet: such a task means every
    worker is busy, and a second one would only pile up behind it. While work still waits, the
    relay comes back after OUTBOX_DISPATCH_SECONDS without being woken, so every worker that frees
    up gets the next batch.

    `share`: how the relay does the workers' share itself (the relay's threads, outbox/relay.py);
    `drain_share` in this thread by default.

    Returns how many items were done here, and when to come back without being woken."""
    done, waiting = 0, False
    for source in sources():
        if not source.in_workers:
            done += _drain_logged(source, limit=limit, batches=1)
            continue
        if not waiting:
            try:
                waiting = source.oldest_waiting() is not None
            except Exception:  # noqa: BLE001 - drained below or by a worker, where failures are logged
                waiting = True
    if not waiting:
        return done, None
    now = time.monotonic()
    wait = _dispatched_at.get("workers", 0.0) + settings.OUTBOX_DISPATCH_SECONDS - now
    if wait > 0:
        return done, wait
    if queue_length(settings.CELERY_TASK_DEFAULT_QUEUE):  # (None, unknown: send anyway)
        return done, settings.OUTBOX_DISPATCH_SECONDS
    if publish(DRAIN_TASK, args=[]):
        _dispatched_at["workers"] = now
        return done, settings.OUTBOX_DISPATCH_SECONDS
    # The broker is down: the relay does the workers' share itself.
    return done + (share or drain_share)(limit=limit), None


def drain_all(*, limit: int | None = None) -> int:
    """Work off what every source has waiting, in bounded batches; returns how many items were done."""
    return sum(_drain_logged(source, limit=limit) for source in sources())


class _Breaker:
    """After a failed publish, publishing is skipped for OUTBOX_BROKER_RETRY_SECONDS: with Redis down,
    each attempt would cost the caller the broker's connection retries (most of a second) for
    nothing, and the work is safe in the database meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._warned_at = 0.0

    def closed(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self, task_name: str, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + settings.OUTBOX_BROKER_RETRY_SECONDS
            warn = now - self._warned_at > 30
            if warn:
                self._warned_at = now
        if warn:  # once in 30 s per process, not once per task
            logger.warning("broker unreachable (%s: %s); work stays in the outbox", task_name, error)

    def reset(self) -> None:
        self._open_until = 0.0


breaker = _Breaker()


def queue_length(queue: str) -> int | None:
    """Messages waiting in a broker queue (not those a worker holds), or None when unknown (an empty
    Redis queue does not exist, and is unknown too)."""
    if not breaker.closed():
        return None
    try:
        with current_app.connection_or_acquire() as broker:
            return broker.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:  # noqa: BLE001 - unknown; the caller decides as if it were empty
        return None


def publish(task, *, args: list, queue: str | None = None, countdown: float | None = None) -> bool:
    """Send a task (a task object, or a task's name) to the broker; False, and nothing raised, when it
    cannot be sent now."""
    if not breaker.closed():
        return False
    options = {"queue": queue} if queue else {}
    # retry=False: fail at once. The caller is a request or the relay, and the work is in the outbox.
    options.update(countdown=countdown or None, ignore_result=True, retry=False)
    try:
        if isinstance(task, str):
            current_app.send_task(task, args=args, **options)
        else:
            task.apply_async(args, **options)
    except Exception as error:  # noqa: BLE001 - each transport fails in its own way
        breaker.failed(getattr(task, "name", task), error)
        return False
    return True

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


def _drain(source, *, limit: int | None = None) -> int:
    """Work off what one source has waiting, in bounded batches."""
    limit = limit or settings.OUTBOX_BATCH
    total = 0
    for _batch in range(settings.OUTBOX_BATCHES_PER_PASS):
        done = source.drain(limit=limit)
        total += done
        if done < limit:
            break
    return total


def _drain_logged(source, *, limit: int | None = None) -> int:
    """`_drain`, where a failing source is logged and does not stop the others (a hand-off cannot be
    published while Redis is down, but dossiers are still entered)."""
    try:
        return _drain(source, limit=limit)
    except Exception:  # noqa: BLE001 - one source's failure must not stop the relay or the others
        logger.exception("outbox source %s failed; the next pass tries again", source.name)
        return 0


def drain_source(*, name: str, limit: int | None = None) -> int:
    """Work off what one source has waiting (a worker's share of the relay's work)."""
    return sum(_drain(source, limit=limit) for source in sources() if source.name == name)


DRAIN_TASK = "outbox.drain"
_dispatched_at: dict[str, float] = {}


def relay_pass(*, limit: int | None = None) -> tuple[int, float | None]:
    """The relay's pass: a source whose work belongs in the workers is handed to one (at most one
    task per OUTBOX_DISPATCH_SECONDS, however many commits woke the relay); the others, and all of
    them while the broker is unreachable, are drained here.

    Returns how many items were done here, and when to come back without being woken (work that
    waited for the next dispatch: a commit that woke the relay just after a task went out must not
    wait for the next sweep)."""
    done, again_in = 0, None
    for source in sources():
        if source.in_workers:
            try:
                waiting = source.oldest_waiting() is not None
            except Exception:  # noqa: BLE001 - drained below, where the failure is logged
                waiting = True
            if not waiting:
                continue
            now = time.monotonic()
            wait = _dispatched_at.get(source.name, 0.0) + settings.OUTBOX_DISPATCH_SECONDS - now
            if wait > 0:
                again_in = wait if again_in is None else min(again_in, wait)
                continue
            if publish(DRAIN_TASK, args=[source.name]):
                _dispatched_at[source.name] = now
                # Come back while it waits: a task that started before the last commits (or found
                # another run entering) leaves them for the next one.
                redispatch = settings.OUTBOX_REDISPATCH_SECONDS
                again_in = redispatch if again_in is None else min(again_in, redispatch)
                continue
        done += _drain_logged(source, limit=limit)
    return done, again_in


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
    """Messages waiting in a broker queue (not those a worker holds), or None when unknown."""
    if not breaker.closed():
        return None
    try:
        with current_app.connection_for_write() as broker:
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

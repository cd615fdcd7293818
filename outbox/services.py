"""The outbox: work written in a transaction is carried on after it commits, by the relay
(`outbox/relay.py`) woken at once, or by the scheduler's sweep when no relay runs.

The other apps write rows (their waiting work) in their own transactions and name a `Source` in
settings.OUTBOX_SOURCES; they never publish a task themselves. Two calls for them:
- `wake()`: in a writer's transaction, wake the relay when it commits (filing, the busiest writer,
  puts the same `pg_notify(CHANNEL, '')` in its own statement instead, to spare a round trip);
- `drain_all()` / `drain_source(name=…)`: one pass over every source, or one batch of one (the
  sweep task, tests).
`publish(...)` hands the relay's drain tasks to the broker without ever failing the caller: what
was not published is still in the database, and the next pass rings again.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Retry
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
    limit = limit or source.batch or settings.OUTBOX_BATCH
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


def _has_work(source) -> bool:
    try:
        return source.oldest_waiting() is not None
    except Exception:  # noqa: BLE001 - drained by a worker (or below), where failures are logged
        return True


def drain_source(*, name: str, limit: int | None = None) -> int:
    """One batch of what one source has waiting (tests; a task that names its source)."""
    return sum(_drain(source, limit=limit, batches=1) for source in sources() if source.name == name)


def drain_share(*, limit: int | None = None, kind: str = "routing") -> int:
    """A worker's share of the relay's work: one batch of each source its queue's workers drain
    (`kind`, of settings.QUEUES_BY_KIND), in the order of OUTBOX_SOURCES.

    One task carries a filing through every stage that waits: the batch of dossiers it enters writes
    their hand-offs, which the same task delivers next, so a filing reaches an inbox after one trip
    through the broker, not one per stage (bench/handoff.py: p50 594 ms and p95 3,012 ms with a task
    per source). One batch each, not the whole backlog: a task ends after seconds, and after an
    outage the backlog is worked off by many tasks side by side, each entering and delivering,
    rather than by tasks entering for 15 s while the entered dossiers' hand-offs wait
    (bench/faults.py). A failing source is logged and does not stop the others."""
    return sum(
        _drain_logged(source, limit=limit, batches=1)
        for source in sources()
        if source.in_workers and source.queue == kind
    )


def drain_while_broker_down(*, limit: int | None = None) -> int:
    """What the relay does itself while it cannot reach the workers: one batch of each workers'
    source that allows it (entering and hand-offs; not PDFs, e-mails, SMS or other agencies' calls,
    which wait in their tables for the broker to come back)."""
    return sum(
        _drain_logged(source, limit=limit, batches=1)
        for source in sources()
        if source.in_workers and source.relay_drains_while_broker_down
    )


DRAIN_TASK = "outbox.drain"
# When this process last sent each queue its drain task (time.monotonic()), by kind of queue.
_dispatched_at: dict[str, float] = {}


def _queue_of(kind: str) -> str | None:
    """The broker queue of a kind of worker; None for the app's default queue (routing's), so a
    worker started on another default queue (CELERY_QUEUE) still gets routing's tasks."""
    queue = settings.QUEUES_BY_KIND[kind]
    return None if queue == settings.CELERY_TASK_DEFAULT_QUEUE else queue


def ring(kind: str) -> float | None:
    """Send one kind of worker its drain task, unless one went out less than OUTBOX_DISPATCH_SECONDS
    ago or the broker still holds one that no worker has taken (every worker is busy: another task
    would only pile up behind it). Returns when to look again, or None when the broker is down."""
    now = time.monotonic()
    wait = _dispatched_at.get(kind, 0.0) + settings.OUTBOX_DISPATCH_SECONDS - now
    if wait > 0:
        return wait
    queue = _queue_of(kind)
    if queue_length(queue or settings.CELERY_TASK_DEFAULT_QUEUE):  # (None, unknown: send anyway)
        return settings.OUTBOX_DISPATCH_SECONDS
    if publish(DRAIN_TASK, args=[], kwargs={"kind": kind}, queue=queue):
        _dispatched_at[kind] = now
        return settings.OUTBOX_DISPATCH_SECONDS
    return None


def relay_pass(*, limit: int | None = None, share=None) -> tuple[int, float | None]:
    """The relay's pass. Each kind of worker whose sources have work waiting gets one task
    (`drain_share`) through `ring`: routing's workers enter dossiers and deliver hand-offs,
    the notifications' workers send notifications and call other agencies' systems, the documents'
    workers render PDFs. Sources no worker drains are drained here, one batch each.

    While work still waits, the relay comes back after OUTBOX_DISPATCH_SECONDS without being woken,
    so every worker that frees up gets the next batch. While the broker is unreachable the relay
    does the routing share itself (`drain_while_broker_down`), so filings still reach their inboxes;
    the other queues' work waits in its tables.

    `share`: how the relay does that share (the relay's threads, outbox/relay.py);
    `drain_while_broker_down` in this thread by default.

    Returns how many items were done here, and when to come back without being woken."""
    done, waiting = 0, []
    relay_may_drain: set[str] = set()
    for source in sources():
        if not source.in_workers:
            done += _drain_logged(source, limit=limit, batches=1)
            continue
        if source.relay_drains_while_broker_down:
            relay_may_drain.add(source.queue)
        if source.queue not in waiting and _has_work(source):
            waiting.append(source.queue)
    again_in, unreachable = None, set()
    for kind in waiting:
        wait = ring(kind)
        if wait is None:
            unreachable.add(kind)
        else:
            again_in = wait if again_in is None else min(again_in, wait)
    if unreachable & relay_may_drain:
        # The broker is down: the relay does the routing share itself.
        done += (share or drain_while_broker_down)(limit=limit)
        again_in = None
    return done, again_in


def drain_all(*, limit: int | None = None) -> int:
    """The scheduler's sweep, run in a routing worker when no relay runs: work off, in bounded
    batches, what routing's workers (and the relay) drain, and ring the bell of every other kind of
    worker that has work waiting (PDFs and e-mails are not for a routing worker); returns how many
    items were done here."""
    done = 0
    for source in sources():
        if source.in_workers and source.queue != "routing":
            if _has_work(source):
                ring(source.queue)
        else:
            done += _drain_logged(source, limit=limit)
    return done


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


def publish(
    task,
    *,
    args: list,
    kwargs: dict | None = None,
    queue: str | None = None,
    countdown: float | None = None,
) -> bool:
    """Send a task (a task object, or a task's name) to the broker; False, and nothing raised, when it
    cannot be sent now. Only the outbox calls it: the other apps write rows, which a source drains."""
    if not breaker.closed():
        return False
    options = {"queue": queue} if queue else {}
    if kwargs:
        options["kwargs"] = kwargs
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


def retry_record(*, source: str, item_id: int, error: BaseException, delay) -> Retry:
    """Count a failed attempt at an item whose own row keeps no count, due again after
    `delay(attempts)` (a timedelta); in its own transaction, after the failed one rolled back."""
    with transaction.atomic():
        retry, _created = Retry.objects.select_for_update().get_or_create(
            source=source, item_id=item_id, defaults={"retry_at": timezone.now()}
        )
        retry.attempts += 1
        retry.retry_at = timezone.now() + delay(retry.attempts)
        retry.last_error = f"{type(error).__name__}: {error}"[:2000]
        retry.save()
    return retry


def retry_forget(*, source: str, item_id: int) -> None:
    """The item is done: its failures are history."""
    Retry.objects.filter(source=source, item_id=item_id).delete()

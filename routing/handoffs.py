"""Delivering hand-offs: the outbox rows a stage's change wrote (`services.outbox_put`), claimed by
the routing workers (SKIP LOCKED), each in its own transaction, retried with back-off and kept as a
dead letter a supervisor can retry. The relay only rings the bell (routing/outbox.py)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services import wake as outbox_wake

from .models import (
    OutboxMessage,
)
from .services import HANDLERS, RoutingError

logger = logging.getLogger(__name__)

# --- The outbox -----------------------------------------------------------------------------


def handoffs_due():
    """Hand-offs waiting to be delivered now: pending, and not waiting for a retry."""
    return OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now())
    )


def handoffs_deliver(*, limit: int = 50) -> int:
    """Deliver up to `limit` due hand-offs, oldest first, each in its own short transaction.

    Each is claimed with SKIP LOCKED, so any number of workers deliver side by side without waiting
    on each other, and a worker killed mid-way only rolls its one hand-off back for the next run.
    Returns how many were tried (a failure counts: it waits for its retry, it is not tried again now).
    """
    tried = 0
    for _attempt in range(limit):
        with transaction.atomic():
            message = handoffs_due().order_by("created_at").select_for_update(skip_locked=True).first()
            if message is None:
                break
            _deliver(message)
        tried += 1
    return tried


def message_process(*, message_id: int) -> OutboxMessage:
    """Deliver one hand-off now (tests, and a supervisor's retry). The row lock and its state make a
    second delivery a no-op."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state == OutboxMessage.State.PENDING:
            _deliver(message)
    return message


def _deliver(message: OutboxMessage) -> None:
    """Run the hand-off's handler; its writes and the message's new state commit together. A failure
    rolls the handler's writes back and is counted (`message_failed`)."""
    try:
        with transaction.atomic():
            HANDLERS[message.topic](**message.payload)
    except Exception as error:  # noqa: BLE001 - every failure is counted, then retried or dead-lettered
        logger.warning("hand-off %s failed: %s: %s", message.key, type(error).__name__, error)
        _failed(message, error)
        return
    message.state = OutboxMessage.State.DONE
    message.processed_at = timezone.now()
    message.attempts += 1
    message.last_error = ""
    message.save(update_fields=["state", "processed_at", "attempts", "last_error"])


def message_failed(*, message_id: int, error: BaseException) -> OutboxMessage:
    """Count a failed attempt; after ROUTING_MAX_ATTEMPTS the message is a dead letter."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state == OutboxMessage.State.PENDING:
            _failed(message, error)
    return message


def _failed(message: OutboxMessage, error: BaseException) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= settings.ROUTING_MAX_ATTEMPTS:
        message.state = OutboxMessage.State.DEAD
        logger.error("outbox message %s is a dead letter: %s", message.key, message.last_error)
    else:
        message.retry_at = timezone.now() + datetime.timedelta(seconds=retry_delay(attempts=message.attempts))
    message.save(update_fields=["attempts", "last_error", "state", "retry_at"])


def retry_delay(*, attempts: int) -> int:
    """Exponential back-off in seconds: 2, 4, 8 … capped."""
    return min(settings.ROUTING_RETRY_BACKOFF_MAX, 2**attempts)


@transaction.atomic
def dead_letter_retry(*, message: OutboxMessage, actor) -> OutboxMessage:
    """A supervisor sends a dead letter round again, with a fresh count of attempts."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state != OutboxMessage.State.DEAD:
        raise RoutingError(_("Thông điệp này không nằm trong danh sách lỗi."))
    message.state = OutboxMessage.State.PENDING
    message.attempts = 0
    message.retry_at = None
    message.save(update_fields=["state", "attempts", "retry_at"])
    logger.info("dead letter %s retried by %s", message.key, actor)
    outbox_wake()
    return message

"""Calls to other agencies' systems: requested inside a caller's transaction, run in a worker.

`check_request` only writes a row and queues it after commit, so nothing a connector does (fail,
hang, raise) can reach the caller's transaction. `connector_call_run` claims the row, calls the
connector with a time limit outside any transaction, and records ok / a retry with backoff /
failed with a reason. A beat sweep re-queues calls whose task was lost and takes back calls whose
worker died mid-call.
"""

from __future__ import annotations

import datetime
import logging
import signal
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from divisions.addresses import fold
from outbox.services import publish

from .base import CheckResult, ConnectorError, ConnectorTimeout, InvalidRequest
from .models import ConnectorCall, Payment, RegisteredBusiness
from .registry import connector

logger = logging.getLogger(__name__)
Status = ConnectorCall.Status


def check_request(*, key: str, check: str, params: dict, dossier=None) -> ConnectorCall:
    """Ask for a check; asking again with the same key returns the same call. Never raises for
    a connector's sake: an unknown check is recorded as failed with its reason."""
    existing = ConnectorCall.objects.filter(key=key).first()
    if existing is not None:
        return existing
    fields = {
        "key": key,
        "check_name": check,
        "params": params,
        "dossier": dossier,
        "next_try_at": timezone.now(),
    }
    try:
        connector(check)
    except LookupError:
        fields.update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            reason=_("Chưa có kết nối cho kiểm tra “%(check)s”.") % {"check": check},
        )
    try:
        with transaction.atomic():
            call = ConnectorCall.objects.create(**fields)
    except IntegrityError:
        return ConnectorCall.objects.get(key=key)  # a parallel caller with the same key won
    if call.status == Status.PENDING:
        _dispatch_on_commit(call.pk)
    return call


def _dispatch_on_commit(call_id: int, *, countdown: float = 0) -> None:
    from .tasks import run_call

    def dispatch():
        publish(run_call, args=[call_id], countdown=countdown)

    # A broker that is down must not fail the caller's committed work (publish returns False); the
    # sweep re-queues.
    transaction.on_commit(dispatch, robust=True)


def retry_delay(attempts: int) -> datetime.timedelta:
    seconds = settings.CONNECTORS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.CONNECTORS_RETRY_MAX_SECONDS))


def _lease() -> datetime.timedelta:
    # A running call older than its time limit plus a margin belongs to a worker that died.
    return datetime.timedelta(seconds=settings.CONNECTORS_TIMEOUT_SECONDS + 60)


@contextmanager
def _time_limit(seconds: float):
    """Raise ConnectorTimeout in this thread after `seconds`.

    SIGALRM works in a process's main thread — where Celery's prefork and solo pools run tasks.
    Elsewhere the connector's own I/O timeout (it is given `timeout`) is the only limit, and an
    answer that came too late is still treated as a timeout below.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise ConnectorTimeout(_("Quá thời gian chờ %(seconds)s giây.") % {"seconds": f"{seconds:g}"})

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _claim(call_id: int, now: datetime.datetime) -> ConnectorCall | None:
    with transaction.atomic():
        call = ConnectorCall.objects.select_for_update().get(pk=call_id)
        if call.status in (Status.OK, Status.FAILED):
            return None
        if call.status == Status.RUNNING and call.started_at and call.started_at + _lease() > now:
            return None  # another worker is on it
        if call.next_try_at is not None and call.next_try_at > now:
            return None  # an early duplicate: the scheduled retry will run it
        call.status = Status.RUNNING
        call.attempts += 1
        call.started_at = now
        call.save(update_fields=["status", "attempts", "started_at"])
        return call


def connector_call_run(*, call_id: int, now: datetime.datetime | None = None) -> ConnectorCall:
    """Run one call if it is due. Safe to run twice and in parallel: the claim decides who calls."""
    now = now or timezone.now()
    call = _claim(call_id, now)
    if call is None:
        return ConnectorCall.objects.get(pk=call_id)
    timeout = settings.CONNECTORS_TIMEOUT_SECONDS
    result, error = None, None
    started = timezone.now()
    try:
        with _time_limit(timeout):
            result = connector(call.check_name).run(call.params, timeout=timeout)
        if not isinstance(result, CheckResult):
            raise ConnectorError(_("Hệ thống trả lời không đúng định dạng."))
        if (timezone.now() - started).total_seconds() > timeout:
            raise ConnectorTimeout(_("Quá thời gian chờ %(seconds)s giây.") % {"seconds": f"{timeout:g}"})
    except ConnectorError as raised:
        error = raised
    except Exception as raised:  # a bug or an unexpected answer in a connector: retried, logged
        logger.exception("connector %s failed on call %s", call.check_name, call.key)
        error = raised
    if isinstance(error, ConnectorTimeout) and not connection.in_atomic_block:
        connection.close()  # the time limit may have cut a query short: start afresh
    return _record(call_id=call.pk, attempt=call.attempts, result=result, error=error, now=now)


def _record(*, call_id: int, attempt: int, result, error, now) -> ConnectorCall:
    with transaction.atomic():
        call = ConnectorCall.objects.select_for_update().get(pk=call_id)
        if call.status != Status.RUNNING or call.attempts != attempt:
            return call  # the lease was taken back meanwhile; the newer attempt decides
        call.started_at = None
        if error is None:
            call.status = Status.OK
            call.result = result.as_json()
            call.reason = ""
            call.finished_at = timezone.now()
            call.next_try_at = None
        else:
            call.reason = (str(error) or type(error).__name__)[:2000]
            if isinstance(error, InvalidRequest) or call.attempts >= settings.CONNECTORS_MAX_ATTEMPTS:
                call.status = Status.FAILED
                call.finished_at = timezone.now()
                call.next_try_at = None
            else:
                delay = retry_delay(call.attempts)
                call.status = Status.PENDING
                call.next_try_at = now + delay
                _dispatch_on_commit(call.pk, countdown=delay.total_seconds())
        call.save()
        return call


def check_retry(*, call: ConnectorCall) -> ConnectorCall:
    """A member of staff asks again after a final failure: a fresh round of attempts, now."""
    with transaction.atomic():
        call = ConnectorCall.objects.select_for_update().get(pk=call.pk)
        if call.status != Status.FAILED:
            return call
        call.status = Status.PENDING
        call.attempts = 0
        call.next_try_at = timezone.now()
        call.finished_at = None
        call.save(update_fields=["status", "attempts", "next_try_at", "finished_at"])
        _dispatch_on_commit(call.pk)
        return call


def connectors_sweep(*, now: datetime.datetime | None = None) -> int:
    """Re-queue pending calls overdue by the grace period, and take back expired running leases."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.CONNECTORS_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        stale = ConnectorCall.objects.select_for_update(skip_locked=True).filter(
            status=Status.RUNNING, started_at__lt=now - _lease()
        )
        taken_back = list(stale.values_list("pk", flat=True))
        ConnectorCall.objects.filter(pk__in=taken_back).update(
            status=Status.PENDING, started_at=None, next_try_at=now
        )
        overdue = list(
            ConnectorCall.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_try_at__lte=now - grace)
            .values_list("pk", flat=True)[:500]
        )
        ConnectorCall.objects.filter(pk__in=overdue).update(next_try_at=now)
        for call_id in taken_back + overdue:
            _dispatch_on_commit(call_id)
    return len(taken_back) + len(overdue)


def business_register(
    *, registration_number: str, name: str, address: str = "", registered_on: datetime.date | None = None
) -> RegisteredBusiness:
    """Add (or update) a household in the local business register that business_name_unique reads."""
    business, _created = RegisteredBusiness.objects.update_or_create(
        registration_number=registration_number,
        defaults={"name": name, "name_key": fold(name), "address": address, "registered_on": registered_on},
    )
    return business


def payment_record(
    *, reference: str, amount: int, receipt_number: str, method: str = Payment.Method.CASH, paid_at=None
) -> Payment:
    """Record a fee paid (the counter's receipt). The same receipt number twice is one payment."""
    payment, _created = Payment.objects.get_or_create(
        receipt_number=receipt_number,
        defaults={
            "reference": reference,
            "amount": amount,
            "method": method,
            "paid_at": paid_at or timezone.now(),
        },
    )
    return payment

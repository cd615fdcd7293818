"""Writing and delivering notifications.

`notify` is called inside the caller's transaction and only writes rows: a queued row whose
`next_attempt_at` has come is the waiting work (notifications/outbox.py), which the outbox relay
hands to the notifications' workers after commit. They deliver it (`notifications_deliver`), each
row claimed with SKIP LOCKED in its own transaction, so workers side by side never send one twice,
and a worker killed mid-send leaves its row to the next. A failed attempt moves `next_attempt_at`
on (the backoff); nothing is ever published per notification, so a broker that is down at commit
loses nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from outbox.services import wake

from .channels.base import DeliveryError
from .channels.registry import channel as channel_named
from .channels.registry import channels
from .models import Kind, Notification

logger = logging.getLogger(__name__)


def _recipient(*, user, citizen_id: str):
    from accounts.models import User

    if user is None and citizen_id:
        user = User.objects.filter(citizen_id=citizen_id, is_active=True).first()
    if not citizen_id and user is not None and user.citizen_id:
        citizen_id = user.citizen_id
    return user, citizen_id


def render_message(*, kind: str, channel: str, context: dict) -> tuple[str, str]:
    """Subject and body from `notifications/messages/<kind>/<channel>.txt`.

    The template's first line is the subject (the in-app title, the e-mail subject); the rest,
    after a blank line, is the body. Rendered in settings.NOTIFICATIONS_LANGUAGE, without HTML
    escaping (plain text).
    """
    template = get_template(f"notifications/messages/{kind}/{channel}.txt")
    with translation.override(settings.NOTIFICATIONS_LANGUAGE):
        text = template.template.render(Context(context, autoescape=False))
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip()[:255], body.strip() or subject.strip()


def _context(*, dossier, user, citizen_id: str, context: dict | None) -> dict:
    base = {"site_url": settings.SITE_URL.rstrip("/"), "user": user, "citizen_id": citizen_id}
    if dossier is not None:
        base["dossier"] = dossier
        base["procedure_name"] = dossier.procedure.name
    base.update(context or {})
    # Callers give one reason or a list of them (forms 02, 03 and 05 list several): one sentence.
    if base.get("reasons") and not base.get("reason"):
        base["reason"] = "; ".join(str(r) for r in base["reasons"])
    return base


def notify(
    *,
    key: str,
    kind: str,
    citizen_id: str = "",
    user=None,
    dossier=None,
    context: dict | None = None,
) -> list[Notification]:
    """One notification per channel the person can receive, keyed `key:channel`; sent after commit.

    Call it inside your transaction: if it rolls back, nothing was notified. Calling it again with
    the same key returns the rows already written and sends nothing more.
    """
    Kind(kind)  # an unknown kind is a programming error, caught in tests
    user, citizen_id = _recipient(user=user, citizen_id=citizen_id)
    if user is None and not citizen_id:
        return []
    # The rows of one event are written together, in the caller's transaction: any found = all.
    existing = list(Notification.objects.filter(key__in=[f"{key}:{name}" for name in channels()]))
    if existing:
        return existing
    wanted = {}
    for name, chan in channels().items():
        address = chan.address_for(user=user, citizen_id=citizen_id)
        if address is not None:
            wanted[f"{key}:{name}"] = (chan, address)
    now = timezone.now()
    rows = []
    for row_key, (chan, address) in wanted.items():
        subject, body = render_message(
            kind=kind,
            channel=chan.name,
            context=_context(dossier=dossier, user=user, citizen_id=citizen_id, context=context),
        )
        row = Notification(
            key=row_key,
            kind=kind,
            channel=chan.name,
            user=user,
            citizen_id=citizen_id,
            dossier=dossier,
            address=address,
            subject=subject,
            body=chan.body_for(body),
        )
        if chan.delivered_on_creation:
            row.status, row.sent_at, row.delivered_at = Notification.Status.DELIVERED, now, now
        else:
            row.status, row.next_attempt_at = Notification.Status.QUEUED, now
        rows.append(row)
    try:
        # One INSERT for all channels (a notification is a hot path inside other apps' transactions).
        with transaction.atomic():
            rows = Notification.objects.bulk_create(rows)
    except IntegrityError:
        # The same event notified in a parallel transaction: theirs are the rows.
        return list(Notification.objects.filter(key__in=wanted))
    if any(row.status == Notification.Status.QUEUED for row in rows):
        wake()  # the relay rings the notifications' workers when the caller commits
    return rows


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base … capped."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def notifications_due(*, now: datetime.datetime | None = None):
    """Queued notifications whose attempt is due, the longest due first (the `notification_due`
    index)."""
    return Notification.objects.filter(
        status=Notification.Status.QUEUED, next_attempt_at__lte=now or timezone.now()
    ).order_by("next_attempt_at")


def notifications_deliver(*, limit: int = 50, now: datetime.datetime | None = None) -> int:
    """Deliver up to `limit` due notifications, each claimed with SKIP LOCKED and sent in its own
    short transaction: workers side by side take different rows, and a worker killed mid-send
    rolls back only its one row, which the next drain takes. Returns how many were tried (a
    failure counts: it waits for its next attempt)."""
    tried = 0
    for _attempt in range(limit):
        with transaction.atomic():
            notification = notifications_due(now=now).select_for_update(skip_locked=True).first()
            if notification is None:
                break
            _deliver(notification, now=now or timezone.now())
        tried += 1
    return tried


@transaction.atomic
def notification_deliver(*, notification_id: int, now: datetime.datetime | None = None) -> Notification:
    """Send one queued notification now, if its attempt is due (tests; a `notifications.deliver`
    task published before the outbox relay sent them). Safe to run twice: the row is locked, and a
    row that is no longer queued (or whose next attempt is not yet due) is left alone."""
    now = now or timezone.now()
    notification = Notification.objects.select_for_update().get(pk=notification_id)
    if notification.status != Notification.Status.QUEUED:
        return notification
    if notification.next_attempt_at is not None and notification.next_attempt_at > now:
        return notification  # an early duplicate: the scheduled attempt will do it
    _deliver(notification, now=now)
    return notification


def _deliver(notification: Notification, *, now: datetime.datetime) -> None:
    """One attempt on a locked, queued row: sent, or its next attempt after the backoff, or failed
    for good after NOTIFICATIONS_MAX_ATTEMPTS."""
    notification.attempts += 1
    try:
        result = channel_named(notification.channel).send(notification)
    except (DeliveryError, LookupError) as error:
        notification.last_error = str(error)[:2000]
        if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.failed_at = now
            notification.next_attempt_at = None
            logger.warning("notification %s failed for good: %s", notification.key, error)
        else:
            notification.next_attempt_at = now + retry_delay(notification.attempts)
    else:
        notification.status = Notification.Status.DELIVERED if result.delivered else Notification.Status.SENT
        notification.sent_at = now
        notification.delivered_at = now if result.delivered else None
        notification.provider_ref = result.provider_ref
        notification.next_attempt_at = None
        notification.last_error = ""
    notification.save()


def delivery_report(*, provider_ref: str, delivered: bool, error: str = "") -> Notification | None:
    """A gateway's delivery report (webhook or poll): sent → delivered, or → failed with its reason."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(provider_ref=provider_ref).first()
        if notification is None or notification.status != Notification.Status.SENT:
            return notification
        now = timezone.now()
        if delivered:
            notification.status = Notification.Status.DELIVERED
            notification.delivered_at = now
        else:
            notification.status = Notification.Status.FAILED
            notification.failed_at = now
            notification.last_error = error[:2000]
        notification.save(update_fields=["status", "delivered_at", "failed_at", "last_error"])
        return notification


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the person's unread in-app notifications as read (all of them, or those ids)."""
    from .selectors import notifications_for

    unread = notifications_for(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return Notification.objects.filter(pk__in=unread.values("pk")).update(read_at=timezone.now())

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications.channels import sms
from notifications.channels.base import DeliveryError, SendResult
from notifications.models import Notification
from notifications.services import (
    delivery_report,
    notification_deliver,
    notifications_deliver,
    notifications_due,
    notify,
)
from outbox.services import drain_source
from procedures.services import dossier_enter

Status = Notification.Status


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _by_channel(rows):
    return {row.channel: row for row in rows}


def test_one_row_per_channel_the_citizen_can_receive(
    dossier, citizen, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _by_channel(
            notify(
                key="dossier_received:X",
                kind="dossier_received",
                citizen_id=citizen.citizen_id,
                dossier=dossier,
            )
        )
    assert set(rows) == {"in_app", "email", "sms"}
    assert rows["in_app"].status == Status.DELIVERED
    assert rows["in_app"].user == citizen
    assert (rows["email"].status, rows["email"].address) == (Status.QUEUED, "mai@example.vn")
    assert (rows["sms"].status, rows["sms"].address) == (Status.QUEUED, "0912345678")
    assert {row.key for row in rows.values()} == {
        "dossier_received:X:in_app",
        "dossier_received:X:email",
        "dossier_received:X:sms",
    }
    # Only what a worker must send waits, due at once, and nothing is published per row: the rows
    # are the outbox.
    assert sorted(notifications_due().values_list("pk", flat=True)) == sorted(
        [rows["email"].pk, rows["sms"].pk]
    )
    assert published == []
    # Rendered from the kind's templates, in Vietnamese.
    assert rows["in_app"].subject == f"Đã tiếp nhận hồ sơ {dossier.code}"
    assert dossier.due_date.strftime("%d/%m/%Y") in rows["email"].body
    assert "Kính gửi Nguyễn Thị Mai" in rows["email"].body
    assert (
        rows["sms"].body
        == f"MotCua: Da tiep nhan ho so {dossier.code}. Hen tra ket qua ngay {dossier.due_date:%d/%m/%Y}."
        f" Ma tra cuu: {dossier.lookup_pin}."
    )


def test_a_citizen_without_an_account_gets_sms_from_the_registry_phone(walk_in):
    rows = _by_channel(
        notify(
            key="ticket_near_front:abc",
            kind="ticket_near_front",
            citizen_id=walk_in,
            context={"ticket_code": "A012", "centre_name": "Trung tâm thử", "ahead": 2},
        )
    )
    assert set(rows) == {"in_app", "sms"}
    assert rows["sms"].address == "0987654321"
    assert rows["sms"].user is None
    assert "A012" in rows["sms"].body
    assert "con 2 nguoi" in rows["sms"].body


def test_staff_without_email_or_phone_get_the_in_app_alert_only(django_user_model, dossier):
    officer = django_user_model.objects.create_user(username="chuyenvien", password="x")
    rows = notify(
        key=f"deadline_alert:{dossier.code}:1",
        kind="deadline_alert",
        user=officer,
        dossier=dossier,
        context={"remaining": "Còn 0 ngày 6 giờ", "step": "Tư pháp - Hộ tịch"},
    )
    assert [(r.channel, r.user) for r in rows] == [("in_app", officer)]
    assert "Còn 0 ngày 6 giờ" in rows[0].body


def test_the_same_key_twice_writes_one_row_per_channel(dossier, citizen):
    first = notify(key="k1", kind="dossier_received", citizen_id=citizen.citizen_id, dossier=dossier)
    second = notify(key="k1", kind="dossier_received", citizen_id=citizen.citizen_id, dossier=dossier)
    assert sorted(r.pk for r in first) == sorted(r.pk for r in second)
    assert Notification.objects.count() == 3
    assert notifications_due().count() == 2  # the second call queued nothing more


def test_entering_run_twice_notifies_the_receipt_once(dossier, citizen):
    dossier_enter(dossier_id=dossier.pk)
    dossier_enter(dossier_id=dossier.pk)  # a second run
    assert Notification.objects.filter(dossier=dossier, kind="dossier_received").count() == 3


def test_delivery_run_twice_sends_one_email(dossier, citizen):
    rows = _by_channel(notify(key="k2", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier))
    email = rows["email"]
    notification_deliver(notification_id=email.pk)
    notification_deliver(notification_id=email.pk)  # the task was delivered twice
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mai@example.vn"]
    assert mail.outbox[0].subject == f"[Một cửa] Hồ sơ {dossier.code} đã có kết quả"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert email.sent_at is not None
    assert email.delivered_at is None


def test_local_sms_is_recorded_and_delivered_once(dossier, citizen):
    text = _by_channel(notify(key="k3", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier))[
        "sms"
    ]
    notification_deliver(notification_id=text.pk)
    notification_deliver(notification_id=text.pk)
    assert [(m.to, m.text) for m in sms.outbox] == [("0912345678", text.body)]
    text.refresh_from_db()
    assert text.status == Status.DELIVERED
    assert text.provider_ref == sms.outbox[0].provider_ref


class FlakyGateway(sms.SmsGateway):
    failures = 1

    def send(self, *, to, text):
        if FlakyGateway.failures > 0:
            FlakyGateway.failures -= 1
            raise DeliveryError("gateway 503")
        return SendResult(delivered=False, provider_ref="gw-1")


@pytest.fixture
def flaky_gateway(settings):
    sms._gateway.cache_clear()
    settings.NOTIFICATIONS_SMS_GATEWAY = f"{__name__}.FlakyGateway"
    yield FlakyGateway
    sms._gateway.cache_clear()


def test_a_failed_attempt_is_retried_with_backoff_then_succeeds(dossier, citizen, flaky_gateway, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    flaky_gateway.failures = 1
    text = _by_channel(notify(key="k4", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier))[
        "sms"
    ]
    now = timezone.now()
    assert notifications_deliver(now=now) == 2  # the worker's drain: the e-mail sent, the SMS failed
    text.refresh_from_db()
    assert (text.status, text.attempts, text.last_error) == (Status.QUEUED, 1, "gateway 503")
    # The retry is the same row, due after the backoff: no drain takes it before.
    assert text.next_attempt_at == now + datetime.timedelta(seconds=30)
    assert notifications_deliver(now=now + datetime.timedelta(seconds=29)) == 0
    notification_deliver(notification_id=text.pk, now=now + datetime.timedelta(seconds=5))  # an old task
    text.refresh_from_db()
    assert text.attempts == 1

    assert notifications_deliver(now=now + datetime.timedelta(seconds=31)) == 1
    text.refresh_from_db()
    assert (text.status, text.attempts, text.last_error, text.provider_ref) == (Status.SENT, 2, "", "gw-1")
    # The gateway's delivery report comes later.
    delivery_report(provider_ref="gw-1", delivered=True)
    text.refresh_from_db()
    assert text.status == Status.DELIVERED
    assert text.delivered_at is not None


def test_the_last_attempt_fails_for_good_with_its_reason(dossier, citizen, flaky_gateway, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    flaky_gateway.failures = 5
    text = _by_channel(notify(key="k5", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier))[
        "sms"
    ]
    later = timezone.now() + datetime.timedelta(hours=2)
    assert notifications_deliver() == 2  # the e-mail sent, the SMS failed
    assert notifications_deliver(now=later) == 1
    text.refresh_from_db()
    assert (text.status, text.attempts, text.last_error) == (Status.FAILED, 2, "gateway 503")
    assert text.failed_at == later
    assert text.next_attempt_at is None
    assert notifications_deliver(now=later + datetime.timedelta(days=1)) == 0  # failed for good


def test_an_smtp_failure_is_a_retry_not_a_crash(dossier, citizen, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailBackend"
    email = _by_channel(
        notify(key="k6", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier)
    )["email"]
    notification_deliver(notification_id=email.pk)
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert "ConnectionRefusedError" in email.last_error


class BrokenMailBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_the_outbox_drain_sends_what_commit_left_queued_once(dossier, citizen, published):
    """No task exists for a notification (Redis may be down at commit): the rows are the work, and
    the notifications' drain sends each once, however often it runs."""
    rows = _by_channel(notify(key="k7", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier))
    assert published == []
    assert drain_source(name="notifications") == 2
    assert drain_source(name="notifications") == 0
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    for row in rows.values():
        row.refresh_from_db()
    assert {row.status for row in rows.values()} == {Status.SENT, Status.DELIVERED}


def test_reasons_given_as_a_list_are_one_sentence(dossier, citizen):
    rows = _by_channel(
        notify(
            key="refused",
            kind="dossier_refused",
            citizen_id=citizen.citizen_id,
            dossier=dossier,
            context={"reasons": ["Thiếu bản chính", "Không thuộc thẩm quyền"]},
        )
    )
    assert rows["in_app"].body == "Lý do: Thiếu bản chính; Không thuộc thẩm quyền"
    supplement = _by_channel(
        notify(
            key="supplement",
            kind="supplement_requested",
            citizen_id=citizen.citizen_id,
            dossier=dossier,
            context={"missing": ["Bản sao CCCD"], "reason": "Ảnh mờ"},
        )
    )
    assert "Cần bổ sung: Bản sao CCCD. Ảnh mờ" in supplement["in_app"].body
    assert "- Bản sao CCCD" in supplement["email"].body

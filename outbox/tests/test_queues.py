"""The relay rings each kind of worker separately, once, and never per notification or document."""

import pytest
from celery.signals import before_task_publish
from django.conf import settings as django_settings

from accounts.models import User
from agencies.models import Centre
from documents.models import Document
from notifications.models import Notification
from outbox import services
from procedures.models import Procedure
from procedures.services import dossier_enter, dossier_submit
from routing.models import OutboxMessage


@pytest.fixture
def published():
    """Every task this process hands to the broker (Celery's own signal)."""
    names = []

    def record(sender=None, **_kwargs):
        names.append(sender)

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)


@pytest.fixture
def rings(monkeypatch):
    """The relay's drain tasks, recorded (queue by queue) instead of sent; every worker free."""
    sent = []

    def publish(task, *, args, kwargs=None, queue=None, countdown=None):
        sent.append((task, (kwargs or {}).get("kind"), queue))
        return True

    monkeypatch.setattr(services, "publish", publish)
    monkeypatch.setattr(services, "queue_length", lambda queue: 0)
    services._dispatched_at.clear()
    return sent


def _entered_dossier():
    centre, filer = Centre.objects.get(code="000.00.01.H26"), User.objects.get(username="001188123456")
    procedure = Procedure.objects.get(slug="dang-ky-tam-tru")
    dossier = dossier_submit(
        form=procedure.current_form(),
        centre=centre,
        channel="online",
        applicant_citizen_id=filer.citizen_id,
        applicant_name="Nguyễn Thị Thử",
        submitted_by=filer,
        data={},
    )
    dossier_enter(dossier_id=dossier.pk)
    return dossier


def test_entering_a_dossier_publishes_nothing_and_the_relay_rings_each_queue_once(
    demo, published, rings, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DISPATCH_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _entered_dossier()
    # Entering wrote a receipt, notifications to send and a hand-off: rows, and no task for any.
    assert Document.objects.filter(subject_ref=dossier.code, status="pending").exists()
    assert Notification.objects.filter(dossier=dossier, status="queued").count() >= 1
    assert OutboxMessage.objects.filter(dossier=dossier, state="pending").exists()
    assert published == []

    for _wake in range(3):  # three commits wake the relay: each queue still gets one task
        services.relay_pass()
    queues = django_settings.QUEUES_BY_KIND
    assert sorted(rings) == sorted(
        [
            ("outbox.drain", "routing", None),  # routing's is the app's default queue
            ("outbox.drain", "notifications", queues["notifications"]),
            ("outbox.drain", "documents", queues["documents"]),
        ]
    )


def test_with_the_broker_down_the_relay_enters_and_hands_off_but_renders_and_sends_nothing(
    demo, monkeypatch, settings
):
    monkeypatch.setattr(services, "publish", lambda task, **kw: False)
    monkeypatch.setattr(services, "queue_length", lambda queue: None)
    services._dispatched_at.clear()
    dossier = _entered_dossier()
    waiting_notifications = Notification.objects.filter(dossier=dossier, status="queued").count()
    services.relay_pass()
    assert not OutboxMessage.objects.filter(dossier=dossier, state="pending").exists()  # handed off
    assert Document.objects.filter(subject_ref=dossier.code, status="pending").exists()  # no PDF
    assert Notification.objects.filter(dossier=dossier, status="queued").count() == waiting_notifications


def test_a_drain_task_drains_only_its_own_queues_sources(demo, settings, tmp_path):
    from outbox.tasks import drain

    settings.MEDIA_ROOT = tmp_path
    dossier = _entered_dossier()
    assert drain(kind="notifications") >= 1
    assert not Notification.objects.filter(dossier=dossier, status="queued").exists()
    assert Document.objects.filter(subject_ref=dossier.code, status="pending").exists()
    assert drain(kind="documents") == 1
    assert not Document.objects.filter(subject_ref=dossier.code, status="pending").exists()
    assert OutboxMessage.objects.filter(dossier=dossier, state="pending").exists()

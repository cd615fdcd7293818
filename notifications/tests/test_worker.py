"""Delivery through a real Celery worker and a real Redis that goes down at the wrong moment."""

import shutil
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction

from notifications.channels import sms
from notifications.models import Notification
from notifications.services import notify
from outbox import services as outbox_services
from outbox.services import relay_pass
from portal.celery import app, connections_forget

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.own_process]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A throw-away redis-server of this test's own (the shared one is never stopped)."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_broker():
    if shutil.which("redis-server") is None or connection.vendor != "postgresql":
        pytest.skip("needs redis-server and PostgreSQL")
    redis = Redis(_free_port())
    redis.start()
    # Only the broker moves; results stay where the settings put them.
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = f"redis://127.0.0.1:{redis.port}/0"
    app.conf.broker_transport_options = {}
    connections_forget()
    yield redis
    if redis.process.poll() is None:
        redis.stop()
    app.conf.broker_url, app.conf.broker_transport_options = saved
    connections_forget()


def _wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_redis_down_at_commit_loses_nothing_and_sends_nothing_twice(own_broker, citizen, dossier, settings):
    """The test plays the relay (`relay_pass`): with Redis up, the notifications' worker gets a drain
    task and sends; with Redis down, the caller still commits, the relay sends nothing itself (the
    rows wait in their table); once Redis is back, the next ring has them sent, once."""
    settings.OUTBOX_BROKER_RETRY_SECONDS = 0.2
    settings.OUTBOX_DISPATCH_SECONDS = 0.1
    outbox_services._dispatched_at.clear()
    outbox_services.breaker.reset()
    sms.outbox.clear()

    def sent(prefix):
        def relayed():
            relay_pass()
            return not Notification.objects.filter(key__startswith=prefix, status="queued").exists()

        return relayed

    # Every queue the Procfile's workers take: notifications have one of their own (QUEUES_BY_KIND).
    queues = list(django_settings.QUEUES_BY_KIND.values())
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10, queues=queues):
        # Redis is up: delivered by the worker right after commit.
        with transaction.atomic():
            notify(key="up", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier)
        assert _wait_for(sent("up:"))

        own_broker.stop()
        with transaction.atomic():  # the caller commits although the broker is gone
            rows = notify(
                key="down",
                kind="dossier_refused",
                citizen_id=citizen.citizen_id,
                dossier=dossier,
                context={"reason": "Thiếu giấy tờ"},
            )
        assert {r.channel for r in rows} == {"in_app", "email", "sms"}
        relay_pass()
        relay_pass()  # the relay does not send notifications itself: they wait for the broker
        assert Notification.objects.filter(key__startswith="down:", status="queued").count() == 2

        own_broker.start()  # empty: no task of before the outage survives
        assert _wait_for(sent("down:"))
        relay_pass()  # one more ring, as a second relay or the scheduler's sweep might give
        time.sleep(0.5)

    # Every e-mail and SMS row was sent exactly once (the dossier's own receipt notified too).
    sent_keys = [m.extra_headers["X-MotCua-Notification"] for m in mail.outbox]
    email_rows = set(Notification.objects.filter(channel="email").values_list("key", flat=True))
    assert sorted(sent_keys) == sorted(email_rows)
    assert {"up:email", "down:email"} <= email_rows
    sms_rows = Notification.objects.filter(channel="sms")
    assert sorted(m.provider_ref for m in sms.outbox) == sorted(r.provider_ref for r in sms_rows)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent", "delivered"}

"""Beat survives what ended it before, and of two schedulers only one sends."""

import datetime

import pytest
from celery.beat import ScheduleEntry

from health.models import Lease
from health.scheduler import LeasedScheduler
from portal.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedulers(tmp_path):
    made = []

    def make():
        sent = []

        class Recording(LeasedScheduler):
            def apply_async(self, entry, producer=None, advance=True, **kwargs):
                sent.append(entry.task)
                return None

        scheduler = Recording(app, schedule_filename=str(tmp_path / f"beat-{len(made)}"), lazy=False)
        scheduler.sent = sent
        scheduler.schedule.clear()
        scheduler.schedule["sweep"] = ScheduleEntry(
            name="sweep",
            task="outbox.sweep",
            schedule=1.0,
            app=app,
            last_run_at=app.now() - datetime.timedelta(minutes=1),  # due now
        )
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.close()


def test_a_second_scheduler_stands_by_while_the_first_holds_the_lease(schedulers):
    first, second = schedulers(), schedulers()
    first.tick()
    second.tick()
    assert first.sent == ["outbox.sweep"]
    assert second.sent == []
    assert Lease.objects.get(name="beat").holder == first.holder


def test_a_tick_that_fails_is_logged_and_beat_goes_on(schedulers, monkeypatch, caplog):
    scheduler = schedulers()
    from health import services

    def database_down(**kwargs):
        raise ConnectionError("database restarting")

    monkeypatch.setattr(services, "lease_hold", database_down)
    assert scheduler.tick() == 1.0  # no exception: the next tick tries again
    assert "scheduler tick failed" in caplog.text
    assert scheduler.sent == []
    monkeypatch.undo()
    scheduler.tick()
    assert scheduler.sent == ["outbox.sweep"]

"""The status page tells the truth about real processes: each is started as the Procfile starts
it, then stopped, and /health/status/ names it. Between the two, PostgreSQL cuts every connection
(what a restart does to them): the processes reconnect and a new dossier still reaches its
agency."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from django.db import connection

from routing.tests.workers import RedisServer, free_port
from tests.test_run_restarts import ROOT, TEMPORARY_RESIDENCE, procfile

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="processes share the test database only on PostgreSQL (SQLite's test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]

FAST = {
    "HEALTH_HEARTBEAT_SECONDS": "1",
    "HEALTH_SILENT_SECONDS": "5",
    "HEALTH_BEAT_LEASE_SECONDS": "3",
    "HEALTH_BEAT_STANDBY_SECONDS": "1",
    "OUTBOX_SWEEP_SECONDS": "1",
    "OUTBOX_BEACON_SECONDS": "1",
}


def _until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.25)
    raise AssertionError(f"{what} not seen within {seconds} s (last: {last})")


def test_each_stopped_process_is_named_and_a_database_restart_is_survived(settings, tmp_path):
    from health.selectors import status
    from portal.demo import demo_data_load
    from routing.models import DossierStep
    from routing.tests.conftest import file_dossier

    demo_data_load()
    queue = f"status-{os.getpid()}"
    port = free_port()
    d = connection.settings_dict
    env = dict(os.environ)
    env.update(
        FAST,
        MOTCUA_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"postgres://{d['USER']}@{d['HOST']}:{d['PORT']}/{d['NAME']}",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        CELERY_QUEUE=queue,
        LOG_LEVEL="WARNING",
    )
    for name, value in FAST.items():
        setattr(settings, name, float(value))
    settings.REDIS_URL = env["REDIS_URL"]
    settings.QUEUES_BY_KIND = {
        "routing": queue,
        "documents": f"{queue}.documents",
        "notifications": f"{queue}.notifications",
    }
    lines = procfile()
    running: dict[str, subprocess.Popen] = {}

    def start(name):
        running[name] = subprocess.Popen(
            ["sh", "-c", lines[name]], cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL
        )

    def stop(name):
        shell = running.pop(name)
        os.killpg(shell.pid, signal.SIGKILL)  # the process and its restart loop: it stays dead
        shell.wait(timeout=20)

    def problems():
        return status()["problems"]

    server = RedisServer(port)
    server.start()
    try:
        for name in ("worker", "notifications", "documents", "beat", "relay"):
            start(name)
        _until(lambda: problems() == [] or None, 90, "every process alive")

        # PostgreSQL cuts every connection; a dossier filed after it still reaches its agency.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        dossier = file_dossier(code=TEMPORARY_RESIDENCE, enter=False)
        _until(lambda: DossierStep.objects.filter(dossier=dossier).exists(), 30, "the dossier in an inbox")
        _until(lambda: problems() == [] or None, 30, "every process alive after the restart")

        stop("documents")
        assert _until(lambda: problems() or None, 30, "a problem") == ["worker:documents"]
        stop("relay")
        _until(lambda: "relay" in problems(), 30, "the relay silent")
        server.stop()
        _until(lambda: "redis" in problems(), 30, "Redis unreachable")
        server.start()
        _until(lambda: "redis" not in problems(), 30, "Redis back")
        stop("beat")
        _until(lambda: "scheduler" in problems(), 30, "the scheduler silent")
        report = status()
        assert report["status"] == "problem"
        assert all(line.get("action") for line in report["checks"] if line["status"] != "ok")
    finally:
        for name in list(running):
            stop(name)
        server.stop()

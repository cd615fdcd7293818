"""A private redis-server and a real Celery worker process for the worker and fault tests.

The worker is a separate process, as in production: it reads the test database (committed data,
so the tests use transactional_db) and a redis-server of its own on a free port, which a test can
stop and start again without touching the shared Redis.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def redis_server():
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Worker:
    """`celery worker -P solo` on the test database and the private Redis, one queue of its own."""

    def __init__(self, broker_url: str, queue: str):
        self.broker_url = broker_url
        self.queue = queue
        self.process: subprocess.Popen | None = None
        # Kept open for the worker's lifetime (it writes to it), read by output().
        self.log = tempfile.NamedTemporaryFile(prefix="routing-worker-", suffix=".log", delete=False)  # noqa: SIM115

    def env(self) -> dict:
        settings_dict = connection.settings_dict
        database = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}"
            f":{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database,
                "REDIS_URL": self.broker_url,
                "CELERY_QUEUE": self.queue,
                # A message held by a killed worker comes back soon, not after 15 minutes.
                "CELERY_VISIBILITY_TIMEOUT": "5",
                "LOG_LEVEL": "WARNING",
            }
        )
        return env

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                CELERY,
                # Django's system checks at start-up belong to the Procfile's workers, which
                # tests/test_run_restarts.py and tests/test_status_processes.py start as they are;
                # here they would only import every URL conf and view before the first task: half a
                # second of the worker's two to three, which the tests wait for. Tasks run the same.
                "--skip-checks",
                "-A",
                "portal",
                "worker",
                "-P",
                "solo",
                "-Q",
                self.queue,
                "--loglevel",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no acknowledgement of the message in hand."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self, broker: RedisServer | None = None) -> None:
        """A warm shutdown (SIGTERM). With `broker`, that Redis is stopped too, right after the signal:
        the worker then leaves its blocking read at once instead of at the read's one-second timeout."""
        if self.process is not None:
            self.process.terminate()
            try:
                if broker is not None:
                    broker.stop()
            finally:
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                self.process = None

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]


@contextmanager
def celery_worker(broker_url: str):
    worker = Worker(broker_url, queue=f"routing-test-{uuid.uuid4().hex[:8]}")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@contextmanager
def publishing_to(broker_url: str, queue: str, settings):
    """Point this test process's Celery app (the outbox relay) at the private broker.

    Only in the separate pytest run of the own_process tests (tests/plugin.py): the swap is
    process-wide, and another test in this process would publish to (or after) it."""
    from portal.celery import app, connections_forget
    from tests.plugin import OWN_PROCESS_ENV

    if os.environ.get(OWN_PROCESS_ENV) != "1":
        raise RuntimeError("publishing_to swaps the process's Celery app: mark the test own_process")

    saved = app.conf.broker_url, app.conf.task_default_queue
    connections_forget()
    app.conf.broker_url, app.conf.task_default_queue = broker_url, queue
    try:
        yield app
    finally:
        connections_forget()
        app.conf.broker_url, app.conf.task_default_queue = saved


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.05, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting: {message}")

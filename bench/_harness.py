"""Shared pieces of the benchmarks: a fresh database, a gunicorn to measure, an HTTP load generator."""

from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# Smoke mode (BENCH_SMOKE=1): the same code path at tiny sizes, in seconds, so that a bench that no
# longer runs fails `make test` (tests/test_bench_smoke.py). Its figures mean nothing.
SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def sized(name: str, full, smoke):
    """A bench's size: the environment's `name` when set, else `smoke` in smoke mode, else `full`."""
    if name in os.environ:
        return type(full)(os.environ[name])
    return smoke if SMOKE else full


def bench_env(**extra) -> dict:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijkl",
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# WhiteNoise's storage gzips and brotli-compresses every file: a minute of CPU. A smoke run writes
# the same manifest (what pages link to) without compressing, in seconds; pages are served as is.
COLLECT_UNCOMPRESSED = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
storages = {**settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
with override_settings(STORAGES=storages):
    call_command("collectstatic", interactive=False, verbosity=0)
"""


def collect_static(env: dict) -> None:
    if env.get("BENCH_SMOKE") == "1":
        run_env = {**env, "DJANGO_SETTINGS_MODULE": "portal.settings"}
        subprocess.run([PYTHON, "-c", COLLECT_UNCOMPRESSED], cwd=ROOT, env=run_env, check=True)
    else:
        manage(env, "collectstatic", "--noinput")


def database_create(env: dict) -> bool:
    """Drop and create the bench database named in DATABASE_URL. With BENCH_TEMPLATE_DATABASE set
    (the smoke runs: one migrated database with the demo data and static files, made once) it is a
    copy of that one, and True says so: nothing is left to load."""
    import psycopg

    url = urllib.parse.urlparse(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    template = env.get("BENCH_TEMPLATE_DATABASE", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return bool(template)


def fresh_database(env: dict) -> None:
    """Drop and create the bench database named in DATABASE_URL, then migrate and load the demo data."""
    if database_create(env):
        return
    manage(env, "migrate", "--noinput")
    collect_static(env)
    manage(env, "demo_data", "--i-know-the-passwords-are-public")


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 1, port: int | None = None):
    port = port or int(os.environ.get("BENCH_PORT", "8799"))
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(port)
        yield f"127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def percentile(values, fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank); nan when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


def load(host: str, path: str, *, clients: int, seconds: float) -> dict:
    """`clients` keep-alive connections request `path` in a loop; returns rps and latency percentiles."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    hostname, port = host.split(":")

    def client():
        nonlocal errors
        conn = http.client.HTTPConnection(hostname, int(port), timeout=10)
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
                conn = http.client.HTTPConnection(hostname, int(port), timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return _figures(latencies, errors=errors, elapsed=elapsed)


def _figures(latencies: list[float], *, errors: int, elapsed: float) -> dict:
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "latencies": latencies,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


def combined(runs: list[dict]) -> dict:
    """Several `load` runs of one path taken as one: their requests over their summed time."""
    return _figures(
        [value for run in runs for value in run["latencies"]],
        errors=sum(run["errors"] for run in runs),
        elapsed=sum(run["elapsed"] for run in runs),
    )

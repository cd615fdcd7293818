"""Every bench still runs: each bench/*.py in smoke mode (BENCH_SMOKE=1, tiny sizes, seconds).

Benches run on PostgreSQL and Redis only (bench/README.md): this runs where DATABASE_URL and
REDIS_URL point at them (CI: .ci/run) and is skipped on the embedded default. Each bench gets a
database of its own, copied from a template made once (migrated, with the demo data; static files
collected), and a port, Celery queues and cache keys of its own. The figures are not checked: only
that the bench ran to its end and printed its key=value last line, and that the counts in that line
which say something went wrong (lost, duplicated, errors, ok) do not.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(path.stem for path in (ROOT / "bench").glob("*.py") if path.name != "_harness.py")
SECONDS_PER_BENCH = 150
KEY_VALUES = re.compile(r"^\S+=\S+( \S+=\S+)*$")
# Counts a bench prints that must be zero in any run, and its own verdict.
MUST_BE_ZERO = (
    "lost",
    "duplicated",
    "duplicates",
    # Requests refused or failed (bench/health.py, bench/tickets.py): tickets.py once issued no
    # number at all (403 to every request) and still ended with its line.
    "errors",
    # bench/abuse.py: the attacker from outside gets nothing through (issue 18).
    "spoofed_filings",
    "unchecked_uploads",
    "limit_bypasses",
    "anonymous_tickets",
    "foreign_lockouts",
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_THE_REAL_STACK = DATABASE_URL.startswith(("postgres://", "postgresql://")) and bool(
    os.environ.get("REDIS_URL")
)

pytestmark = [
    pytest.mark.skipif(
        not ON_THE_REAL_STACK,
        reason="benches run on PostgreSQL and Redis only (bench/README.md): "
        "set DATABASE_URL and REDIS_URL, as .ci/run does",
    ),
    # On one xdist worker, one after another: the template is made once per run, not once per
    # worker, and two benches never start their servers on the same two cores at once.
    pytest.mark.xdist_group("bench_smoke"),
]


# Names of this run's own: two runs on one machine (two CI checkouts, a developer beside CI) must
# not drop each other's databases.
RUN = uuid.uuid4().hex[:6]


def _database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    return parts._replace(path=f"{parts.path}_bench_{RUN}_{name}").geturl()


def _drop(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env() -> dict:
    """This process's environment without pytest's and xdist's variables, or a developer's BENCH_ sizes."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "BENCH_")) and key != "DJANGO_SETTINGS_MODULE"
    }


@pytest.fixture(scope="session")
def template():
    """The database every smoke run copies: made once per pytest process (the benches share one
    xdist worker), as bench/_harness.py's fresh_database does."""
    sys.path.insert(0, str(ROOT))
    from bench._harness import bench_env, fresh_database

    url = _database_url("template")
    env = bench_env(DATABASE_URL=url, BENCH_SMOKE="1")
    started = time.monotonic()
    fresh_database(env)
    print(f"template database for the smoke runs: {time.monotonic() - started:.1f} s")
    yield urllib.parse.urlsplit(url).path.lstrip("/")
    _drop(url)


@pytest.mark.parametrize("bench", BENCHES)
def test_the_bench_runs_in_smoke_mode(bench, template):
    url = _database_url(bench)
    tag = f"bench-smoke-{bench}-{uuid.uuid4().hex[:6]}"
    env = {
        **_base_env(),
        "BENCH_SMOKE": "1",
        "BENCH_TEMPLATE_DATABASE": template,
        "BENCH_PORT": str(_free_port()),
        "DATABASE_URL": url,
        "CELERY_QUEUE": tag,
        "CACHE_KEY_PREFIX": tag,
    }
    started = time.monotonic()
    try:
        run = subprocess.run(
            [sys.executable, f"bench/{bench}.py"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SECONDS_PER_BENCH,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"bench/{bench}.py ran past {SECONDS_PER_BENCH} s:\n{_tail(timeout.stdout, timeout.stderr)}"
        )
    finally:
        _drop(url)
    output = _tail(run.stdout, run.stderr)
    assert run.returncode == 0, f"bench/{bench}.py exited {run.returncode}:\n{output}"
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines, f"bench/{bench}.py printed nothing:\n{output}"
    last = lines[-1].strip()
    assert KEY_VALUES.match(last), f"bench/{bench}.py's last line is not key=value pairs: {last!r}\n{output}"
    figures = dict(pair.split("=", 1) for pair in last.split())
    for name in MUST_BE_ZERO:
        if name in figures:
            assert figures[name] == "0", f"bench/{bench}.py: {name}={figures[name]}\n{output}"
    if "ok" in figures:
        assert figures["ok"] == "1", f"bench/{bench}.py did not complete its check:\n{output}"
    print(f"bench/{bench}.py in smoke mode: {time.monotonic() - started:.1f} s; {last}")


def _tail(stdout, stderr) -> str:
    def text(value) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")

    return f"--- stdout ---\n{text(stdout)[-3000:]}\n--- stderr ---\n{text(stderr)[-3000:]}"

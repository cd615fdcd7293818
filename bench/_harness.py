"""Shared pieces of the benchmarks: a fresh database, a gunicorn to measure, an HTTP load generator."""

from __future__ import annotations

import collections
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager, suppress
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


def collect_static(env: dict) -> subprocess.Popen:
    """Start collecting the static files; they need no database, so the migrations run meanwhile."""
    if env.get("BENCH_SMOKE") == "1":
        run_env = {**env, "DJANGO_SETTINGS_MODULE": "portal.settings"}
        return subprocess.Popen([PYTHON, "-c", COLLECT_UNCOMPRESSED], cwd=ROOT, env=run_env)
    return subprocess.Popen(
        [PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


# `manage.py migrate` then `manage.py demo_data`, in one process: each command would cost a Django start
# and the system checks, seconds of a smoke run's template.
MIGRATE_AND_LOAD = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False)
call_command("demo_data", "--i-know-the-passwords-are-public", *sys.argv[1:])
"""


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


def fresh_database(env: dict, *, static: str = "all", people: int | None = None) -> None:
    """Drop and create the bench database named in DATABASE_URL (a copy of the smoke runs' template
    when there is one, static files collected with it), or migrate it and load the demo data here.

    `static`: "all" collects the static files as production does; "quick" uncompressed (pages with
    DEBUG off need their manifest; compressing takes a minute and changes nothing a bench measures);
    "none" for a bench that calls only the API. `people`: residents in the registry, when the demo's
    200 are too few applicants (not with a template: the smoke runs need few)."""
    if database_create(env):
        return
    collecting = None
    if static == "all":
        collecting = collect_static(env)
    elif static == "quick":
        collecting = collect_static({**env, "BENCH_SMOKE": "1"})
    more = ["--people", str(people)] if people else []
    run_env = {**env, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run(
        [PYTHON, "-c", MIGRATE_AND_LOAD, *more], cwd=ROOT, env=run_env, check=True, stdout=subprocess.DEVNULL
    )
    if collecting is not None and collecting.wait() != 0:
        raise subprocess.CalledProcessError(collecting.returncode, collecting.args)


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 1, port: int | None = None, meanwhile=None):
    """gunicorn on the bench database, once it answers. `meanwhile`: the bench's own set-up that
    needs no server, run while gunicorn starts (its start takes seconds)."""
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
        start_new_session=True,
    )
    try:
        if meanwhile is not None:
            meanwhile()
        wait_until_up(port)
        yield f"127.0.0.1:{port}"
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM a process started in a session of its own (start_new_session=True) and wait for its
    shutdown. A smoke run SIGKILLs the whole session at once instead: it checks nothing afterwards,
    and gunicorn's or a Celery worker's shutdown takes seconds."""
    if SMOKE:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(port: int, timeout: float = 30) -> None:
    """Wait until the web answers /health/ with 200 on this port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
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


# --- A whole product run: its own Redis and the Procfile's processes (bench/faults.py, bench/abuse.py) ---


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, command line), from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = (
                Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry)] = (int(fields[1]), fields[0], cmdline.strip())
    return table


def cpu_seconds(pid: int, *, own: bool = True) -> float:
    """CPU time of a process (`own`) and of the children it has reaped, in seconds; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return ((utime + stime) * own + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot, all cores."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Line:
    """One Procfile line run as honcho runs it: `sh -c '<line>'` in a session of its own."""

    def __init__(self, name: str, command: str, env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.shell: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child holds it
        self.shell = subprocess.Popen(
            ["sh", "-c", self.command],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def processes(self) -> list[int]:
        """The line's running processes under its shell (the loop's `sleep` and zombies aside)."""
        if self.shell is None:
            return []
        table = _process_table()
        children = collections.defaultdict(list)
        for pid, (ppid, _state, _cmd) in table.items():
            children[ppid].append(pid)
        found, todo = [], list(children[self.shell.pid])
        while todo:
            pid = todo.pop()
            _ppid, state, cmd = table[pid]
            todo.extend(children[pid])
            if state != "Z" and not cmd.startswith("sleep"):
                found.append(pid)
        return sorted(found)

    def cpu_seconds(self) -> float:
        """CPU time of the line so far: its live processes, and what its shell and they have reaped
        (processes killed and reaped by nobody, such as a killed worker's pool, are not counted)."""
        if self.shell is None:
            return 0.0
        return cpu_seconds(self.shell.pid) + sum(cpu_seconds(pid) for pid in self.processes())

    def terminate(self) -> None:
        if self.shell is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.shell.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.shell is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.shell.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                self.shell.wait(timeout=10)


def stop_all(lines) -> None:
    """SIGTERM every line's process group (a warm shutdown), SIGKILL what is left after 20 s. A smoke
    run kills them at once: it checks nothing after the run, and warm shutdowns take seconds."""
    lines = list(lines)
    if not SMOKE:
        for line in lines:
            line.terminate()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_line_alive(line) for line in lines if line.shell):
            time.sleep(0.2)
    for line in lines:
        line.kill()


def _line_alive(line: Line) -> bool:
    # The shell is this process's child: until it is reaped it stays in its group as a zombie, and
    # the group looks alive for the whole 20 s.
    return line.shell.poll() is None or _group_alive(line.shell.pid)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def procfile_lines() -> dict[str, str]:
    """The Procfile's lines by name; they take their queue names from CELERY_QUEUE."""
    text = (ROOT / "Procfile").read_text()
    return dict(
        line.split(": ", 1) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


class OwnRedis:
    """This bench's own redis-server: in memory only, so a restart comes back empty."""

    def __init__(self, port: int, log_dir: Path):
        if port == 6379:
            raise RuntimeError("refusing to run on the shared Redis port")
        self.port, self.log_dir = port, log_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("this bench starts a redis-server of its own: install Redis")
        log = open(self.log_dir / "redis.log", "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.log_dir)]
            + ["--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 10
        while not self.ping():
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def command(self, *words: str, timeout: float = 1.0) -> str | None:
        """One command over RESP: its simple reply line or bulk text, or None when Redis does not answer."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
                sock.sendall(
                    (f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)).encode()
                )
                reply = sock.makefile("rb")
                first = reply.readline()
                if first.startswith(b"$") and int(first[1:]) >= 0:
                    return reply.read(int(first[1:])).decode(errors="replace")
                return first.decode(errors="replace")
        except (OSError, ValueError):
            return None

    def ping(self) -> bool:
        return (self.command("PING", timeout=0.5) or "").startswith("+PONG")

    def info(self, key: str) -> str:
        text = self.command("INFO", "server") or ""
        found = re.search(rf"^{key}:(\S+)", text, re.MULTILINE)
        return found.group(1) if found else "?"

    def shutdown(self) -> None:
        self.command("SHUTDOWN", "NOSAVE")
        if self.process is not None:
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

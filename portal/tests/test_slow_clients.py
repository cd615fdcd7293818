"""The web process as the Procfile starts it (gunicorn with portal/gunicorn.conf.py), and Debian's
nginx in front of it with the shipped site file (portal/deploy/nginx.conf), against clients that
are slow on purpose. Embedded mode in a temporary directory: /health/ needs no table.

gunicorn alone gives each connection a thread while it reads the request, so 8 clients dripping a
byte a second stall it (portal/gunicorn.conf.py says why it stays so); production runs it behind
that nginx (docs/operations.md, "Slow clients"), and these tests show the pair does not stall.
"""

import contextlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent import futures
from pathlib import Path

import pytest
from django.test import RequestFactory

from requestlimits.rates import client_key

ROOT = Path(__file__).resolve().parents[2]
SITE_FILE = ROOT / "portal" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
# /health/ answers within this or counts as stalled (issue 17: it timed out at 10 s).
PROBE_SECONDS = 2.0

pytestmark = pytest.mark.xdist_group("slow_clients")  # one gunicorn and one nginx for the module
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="Debian's nginx is not installed (`make test` installs it: .system-nginx)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _web_command() -> str:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    return line.removeprefix("web:").strip()


def _get(port: int, path: str, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def _all_fast(answers: list[tuple[int | None, float]]) -> bool:
    return all(status == 200 and elapsed < PROBE_SECONDS for status, elapsed in answers)


def _probe_health(port: int, times: int = 3) -> list[tuple[int | None, float]]:
    """`times` requests for /health/, one after the other: (status, seconds), None if it timed out."""
    answers = []
    for _probe in range(times):
        try:
            answers.append(_get(port, "/health/", timeout=PROBE_SECONDS))
        except OSError:  # timed out
            answers.append((None, PROBE_SECONDS))
    return answers


def _wait_for_health(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until 8 requests for /health/ at once all answer fast, twice running: the first request a
    gunicorn worker serves loads the URLs and views (1-2 s), and the tests time requests against
    warm workers. At once, so that both workers get some: one after the other, the same worker
    tends to take them all."""
    deadline = time.monotonic() + 60
    fast_rounds = 0
    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        while fast_rounds < 2:
            try:
                answers = list(pool.map(lambda _: _get(port, "/health/", timeout=5), range(8)))
            except OSError:
                answers = []
            fast_rounds = fast_rounds + 1 if answers and all(s == 200 and t < 0.5 for s, t in answers) else 0
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{process.args} did not start:\n{log.read_text()}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The Procfile's web line, on a free port, in embedded mode; its port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PORT=str(port), MOTCUA_VAR_DIR=str(tmp_path_factory.mktemp("web-var")), DEBUG="True")
    log = tmp_path_factory.mktemp("web-log") / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            _web_command(),
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_health(port, process, log)
        yield port
    finally:
        os.killpg(process.pid, 15)  # the shell and gunicorn's arbiter and workers
        process.wait(timeout=30)


def _site(*, listen: int, upstream: int, text: str | None = None) -> str:
    """The site file (as shipped unless `text`), listening and proxying on this test's ports."""
    text = SITE_FILE.read_text() if text is None else text
    for shipped, here in (
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
    ):
        assert text.count(shipped) == 1, f"the site file should say `{shipped}` once"
        text = text.replace(shipped, here)
    return text


@contextlib.contextmanager
def running_nginx(directory: Path, *, upstream: int, site_text: str | None = None):
    """Debian's nginx in the foreground with the site file inside a minimal http block, every path
    it writes in `directory`; its port."""
    port = _free_port()
    (directory / "motcua.conf").write_text(_site(listen=port, upstream=upstream, text=site_text))
    (directory / "nginx.conf").write_text(
        # Started by root, nginx runs its workers as `user` (nobody by default), who could not
        # enter pytest's private temporary directory to buffer a body.
        ("user root root;\n" if os.geteuid() == 0 else "")
        + "events {}\n"
        + "http {\n"
        + "".join(
            f"    {kind}_temp_path {directory / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {directory / 'motcua.conf'};\n"
        + "}\n"
    )
    log = directory / "nginx.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(directory),
                "-c",
                str(directory / "nginx.conf"),
                "-g",
                f"daemon off; pid {directory / 'nginx.pid'}; error_log stderr;",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def proxy(web, tmp_path_factory):
    """The shipped site file in front of the web process; nginx's port."""
    if NGINX is None:
        pytest.skip("Debian's nginx is not installed (`make test` installs it: .system-nginx)")
    with running_nginx(tmp_path_factory.mktemp("nginx"), upstream=web) as port:
        yield port


HEADERS = b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
# A body that Django reads before any view: the CSRF middleware reads a POST's form when the
# request carries a CSRF cookie. Sent whole, the headers; dripped, the body.
BODY = b"a=" + b"a" * 4000
BODY_HEADERS = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"c" * 32 + b"\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
)
SLOW = {"headers": (b"", HEADERS), "bodies": (BODY_HEADERS, BODY)}


@contextlib.contextmanager
def dripping(port: int, count: int, *, sent: bytes = b"", dripped: bytes = HEADERS):
    """`count` clients sending `sent` at once and then `dripped` one byte a second; the sockets."""
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    stop = threading.Event()

    def drip():
        for client in clients:
            with contextlib.suppress(OSError):
                client.sendall(sent)
        for offset in range(len(dripped)):
            for client in clients:
                with contextlib.suppress(OSError):
                    client.send(dripped[offset : offset + 1])
            if stop.wait(1.0):
                return

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        yield clients
    finally:
        stop.set()
        dripper.join()
        for client in clients:
            client.close()


def test_the_web_process_runs_from_its_config_file(web):
    assert "-c portal/gunicorn.conf.py" in _web_command()
    status, elapsed = _get(web, "/health/", timeout=5)
    assert status == 200
    assert elapsed < 1


@pytest.mark.parametrize("server", ["web", "proxy"])
def test_a_body_over_the_cap_is_refused_before_it_is_sent(server, request, settings):
    """Headers announcing a byte over REQUEST_BODY_MAX_BYTES get the app's 413, JSON under /api/,
    without a byte of body: from gunicorn, and through nginx, which refuses it unread (a proxy
    taking more would wait here for the body) and lets the app write the answer."""
    port = request.getfixturevalue(server)
    declared = settings.REQUEST_BODY_MAX_BYTES + 1
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(
            b"POST /api/v1/dossiers/lookup/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % declared
        )
        answer = b""
        while b"\r\n\r\n" not in answer and (received := client.recv(4096)):
            answer += received
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"Content-Type: application/json" in answer


def test_the_proxy_takes_the_bodies_the_app_takes(settings):
    size = re.search(r"^\s*client_max_body_size (\d+)m;", SITE_FILE.read_text(), re.MULTILINE)
    assert int(size[1]) * 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES


def test_the_proxy_passes_health_and_static_files(proxy):
    assert _get(proxy, "/health/", timeout=5)[0] == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{proxy}/static/css/motcua.css", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert b"{" in response.read()


@needs_nginx
def test_the_proxy_tells_the_app_the_client_address_and_scheme(tmp_path, settings):
    """nginx replaces what a client says in X-Forwarded-For: one trusted hop, the rate limits key
    on the address nginx wrote (requestlimits/client_address.py), which a client must not choose."""
    seen = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with running_nginx(tmp_path, upstream=upstream.server_port) as port:
            spoofed = urllib.request.Request(
                f"http://127.0.0.1:{port}/health/", headers={"X-Forwarded-For": "203.0.113.9"}
            )
            urllib.request.urlopen(spoofed, timeout=5).close()
    finally:
        upstream.shutdown()
        upstream.server_close()
    [headers] = seen
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["Host"] == "127.0.0.1"

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_HOPS = 1
    as_received = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=headers["X-Forwarded-For"]
    )
    assert client_key(as_received) == "a127.0.0.1"


@pytest.mark.parametrize("count", [8, 32])
@pytest.mark.parametrize("slow", ["headers", "bodies"])
def test_health_answers_through_the_proxy_while_clients_drip(proxy, slow, count):
    """Clients dripping their headers or their bodies take gunicorn's threads (2 workers × 4: 8 fill
    them); through nginx, /health/ answers as if they were not there."""
    sent, dripped = SLOW[slow]
    with dripping(proxy, count, sent=sent, dripped=dripped):
        time.sleep(2)  # every slow client has sent its first bytes and holds whatever it holds
        answers = _probe_health(proxy)
    assert _all_fast(answers), answers


def test_a_client_dripping_its_headers_is_cut_off_after_ten_seconds(proxy):
    """client_header_timeout bounds the whole header, however often a byte comes."""
    with dripping(proxy, 1) as [client]:
        started = time.monotonic()
        client.settimeout(20)
        with contextlib.suppress(ConnectionResetError):
            assert client.recv(4096) == b""  # closed without an answer
        elapsed = time.monotonic() - started
    assert 9 < elapsed < 12


@needs_nginx
def test_a_proxy_passing_bodies_on_as_they_come_would_stall(web, tmp_path):
    """The check above can fail: with proxy_request_buffering off, nginx hands gunicorn each body as
    it drips in, the drippers take gunicorn's threads, and /health/ times out. (32 of them: a
    gunicorn worker accepts connections whether or not a thread is free, and with 8 one worker
    may get 5 and the other 3, leaving a thread that answers some of the probes.)"""
    shipped = SITE_FILE.read_text()
    assert "proxy_request_buffering on;" in shipped
    unbuffered = shipped.replace("proxy_request_buffering on;", "proxy_request_buffering off;")
    with running_nginx(tmp_path, upstream=web, site_text=unbuffered) as port:
        with dripping(port, 32, sent=BODY_HEADERS, dripped=BODY):
            time.sleep(2)
            answers = _probe_health(port)
        assert not _all_fast(answers), answers
        # The drippers gone, nginx closes its connections to gunicorn and the threads are free.
        assert _probe_health(port, times=1)[0][0] == 200

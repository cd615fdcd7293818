"""The supervisor dashboard at 1,000,000 dossiers on PostgreSQL: page p50/p95 and its main queries.

Run: .venv/bin/python bench/dashboard.py
Uses a dedicated database (DATABASE_URL, default motcua_bench_dashboard) and reuses it when it
already holds the dossiers: generating a million takes minutes, measuring takes seconds.
BENCH_DOSSIERS (default 1,000,000) sets how many; BENCH_REQUESTS how many timed page loads.
The dossiers come from `manage.py dossiers_generate` (COPY in batches, a year across the demo's
centres, with timelines, hand-backs and ratings) and the daily figures from its rebuild.
The page is timed over HTTP under gunicorn (2 workers), signed in as the provincial supervisor
(every centre of Hanoi, the widest scope), for the default period (12 weeks) and for a whole year.
The supervisor signs in as in production: password on the sign-in page, then the code of an
authenticator the bench enrols for the account (staff two-factor sign-in is on with DEBUG off).
With BENCH_SMOKE=1 (tests/test_bench_smoke.py) it starts from a fresh database with 200 dossiers.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request

from _harness import PYTHON, ROOT, SMOKE, bench_env, fresh_database, gunicorn, manage, percentile, sized

DOSSIERS = sized("BENCH_DOSSIERS", 1_000_000, smoke=200)
REQUESTS = sized("BENCH_REQUESTS", 60, smoke=3)
YEAR_REQUESTS = sized("BENCH_YEAR_REQUESTS", max(10, REQUESTS // 3), smoke=2)
WARM_UP_REQUESTS = sized("BENCH_WARM_UP_REQUESTS", 5, smoke=1)  # before each page's timed ones
WORKERS = sized("BENCH_WORKERS", 2, smoke=1)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_dashboard"
SUPERVISOR, PASSWORD = "giamsat.hanoi", "motcua-demo-2026"
DASHBOARD = "/giam-sat/tong-quan/"

QUERY_TIMER = """
import json, time
from agencies.selectors import scope_of
from accounts.models import User
from dashboard import selectors
from dashboard.selectors import Period
from procedures.selectors import dossiers_supervised_by
user = User.objects.get(username="giamsat.hanoi")
centres = sorted(scope_of(user).supervised_centres)
period = Period.default()
year = Period(since=period.until.replace(year=period.until.year - 1), until=period.until)
dossiers = dossiers_supervised_by(user)
queries = {
    "totals": lambda: selectors.totals(centres, period),
    "by_procedure": lambda: selectors.figures_by("procedure", centres, period),
    "by_staff": lambda: selectors.figures_by("staff", centres, period),
    "weekly_year": lambda: selectors.weekly(centres, year),
    "overdue_count": lambda: selectors.open_dossiers(dossiers).filter(deadline_state="overdue").count(),
    "open_by_agency": lambda: selectors.open_by_agency(dossiers),
    "late_drilldown": lambda: list(selectors.dossiers_behind(dossiers, kind="late", period=period)[:50]),
}
out = {}
for name, run in queries.items():
    run()
    times = []
    for _ in range(10):
        t = time.perf_counter(); run(); times.append((time.perf_counter() - t) * 1000)
    out[name] = round(sorted(times)[len(times) // 2], 1)
print("QUERIES " + json.dumps(out))
"""

# As an administrator would: an authenticator for the supervisor, with a key this run knows.
ENROL = """
from accounts.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
user = User.objects.get(username={username!r})
TOTPDevice.objects.filter(user=user).delete()
TOTPDevice.objects.create(user=user, name="bench", key={key!r}, confirmed=True)
"""


def _shell(env: dict, code: str, marker: str) -> str:
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(line for line in out.splitlines() if line.startswith(marker))[len(marker) + 1 :]


def _prepare(env: dict) -> int:
    import psycopg

    if SMOKE:
        fresh_database(env)  # a small run starts afresh; a real one keeps its million dossiers
    else:
        _reuse_database(env)
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        have = conn.execute("SELECT count(*) FROM procedures_dossier").fetchone()[0]
    if have < DOSSIERS:
        started = time.monotonic()
        manage(env, "dossiers_generate", str(DOSSIERS - have))
        print(f"generated {DOSSIERS - have} dossiers in {time.monotonic() - started:.0f} s")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute("SELECT count(*) FROM procedures_dossier").fetchone()[0]


def _reuse_database(env: dict) -> None:
    """The bench's database, created and migrated when missing, with the demo data once."""
    import psycopg

    url = urllib.parse.urlparse(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        centres = conn.execute("SELECT count(*) FROM agencies_centre").fetchone()[0]
    if not centres:
        manage(env, "demo_data", "--i-know-the-passwords-are-public")


def _sign_in(host: str, username: str, key: str) -> str:
    """Signs in as production has staff do: the password on the sign-in page, which sends a staff
    member on to the authenticator's code, then the code. Returns the session cookie."""
    from django_otp.oath import totp

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{host}"

    def submit(path: str, fields: dict) -> str:
        """GET the form (its CSRF token and cookie), POST it, follow redirects; returns where it landed."""
        with browser.open(base + path, timeout=30) as response:
            form = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        with browser.open(urllib.request.Request(base + path, data), timeout=30) as response:
            response.read()
            landed = urllib.parse.urlparse(response.geturl())
        return landed.path + (f"?{landed.query}" if landed.query else "")

    landed = submit(f"/dang-nhap/?next={DASHBOARD}", {"username": username, "password": PASSWORD})
    if not landed.startswith("/xac-thuc-hai-lop/"):
        raise RuntimeError(f"the password alone should lead to the code page, not {landed}")
    landed = submit(landed, {"token": f"{totp(bytes.fromhex(key)):06d}"})
    if landed != DASHBOARD:
        raise RuntimeError(f"the code should lead to the dashboard, not {landed}")
    return next(cookie.value for cookie in jar if cookie.name == "sessionid")


def _time_page(host: str, path: str, cookie: str, count: int, marker: bytes = b"data-figure") -> dict:
    hostname, port = host.split(":")
    conn = http.client.HTTPConnection(hostname, int(port), timeout=30)
    latencies = []
    for i in range(WARM_UP_REQUESTS + count):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or marker not in body:
            raise RuntimeError(f"{path} answered {response.status}")
        if i >= WARM_UP_REQUESTS:
            latencies.append((time.perf_counter() - started) * 1000)
    return {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}


def main() -> None:
    env = bench_env(DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_URL))
    dossiers = _prepare(env)
    key = secrets.token_hex(20)
    # One Django start for both (a start costs seconds): the authenticator is a row the queries never read.
    queries = json.loads(_shell(env, ENROL.format(username=SUPERVISOR, key=key) + QUERY_TIMER, "QUERIES"))
    with gunicorn(env, workers=WORKERS, threads=1) as host:
        cookie = _sign_in(host, SUPERVISOR, key)
        floor = _time_page(host, "/health/", cookie, REQUESTS, marker=b"")
        page = _time_page(host, DASHBOARD, cookie, REQUESTS)
        year = _time_page(host, f"{DASHBOARD}?tu={_year_ago()}", cookie, YEAR_REQUESTS)
    print(f"cores={os.cpu_count()} dossiers={dossiers}")
    print("main queries, median ms: " + ", ".join(f"{k}={v}" for k, v in queries.items()))
    load_average = os.getloadavg()[0]
    print(f"floor (/health/): p50 {floor['p50']:.0f} ms, p95 {floor['p95']:.0f} ms, load {load_average:.1f}")
    print(f"dashboard (12 weeks, province): p50 {page['p50']:.0f} ms, p95 {page['p95']:.0f} ms")
    print(f"dashboard (a year, province):   p50 {year['p50']:.0f} ms, p95 {year['p95']:.0f} ms")
    print(
        f"dossiers={dossiers} dashboard_p95_ms={page['p95']:.0f} dashboard_p50_ms={page['p50']:.0f} "
        f"year_p95_ms={year['p95']:.0f} floor_p95_ms={floor['p95']:.0f}"
    )


def _year_ago() -> str:
    import datetime

    return (datetime.date.today() - datetime.timedelta(days=365)).isoformat()


if __name__ == "__main__":
    main()

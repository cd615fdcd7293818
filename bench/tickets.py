"""Queue numbers issued per second by 100 concurrent HTTP clients on PostgreSQL, and duplicates.

Run: .venv/bin/python bench/tickets.py   (after `make test` has built .venv)
Each client keeps one connection and POSTs to the ticket API in a loop as the centre's registered
kiosk (its kiosk token: only a registered kiosk gives numbers without a name), spread over the
four services of a centre that is open around the clock (created here, so the wall clock does not
matter). Duplicates are checked twice: in the answers, and in the database (numbers of each
service must be exactly 1..N). A floor is measured in the same run: /health/ with the same
clients, the cheapest page the stack serves.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from _harness import ROOT, bench_env, fresh_database, gunicorn, load, percentile, sized

CLIENTS = sized("BENCH_CLIENTS", 100, smoke=4)
SECONDS = sized("BENCH_SECONDS", 15.0, smoke=1.0)
FLOOR_SECONDS = sized("BENCH_FLOOR_SECONDS", 5.0, smoke=1.0)
WARM_UP_SECONDS = sized("BENCH_WARM_UP_SECONDS", 2.0, smoke=0.3)
WORKERS = sized("BENCH_WORKERS", 4, smoke=1)
THREADS = sized("BENCH_THREADS", 2, smoke=2)
CENTRE = "BENCH.24H"
LETTERS = os.environ.get("BENCH_LETTERS", "A,B,C,D").split(",")


def set_up(env: dict) -> str:
    """Django in this process, for the set-up and the checks (a `manage.py shell` for each would cost
    a Django start), and the bench centre. Returns its kiosk's token."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.models import ApiToken
    from accounts.services import api_token_issue

    centre = centre_open_around_the_clock()
    _token, key = api_token_issue(kind=ApiToken.Kind.KIOSK, centre=centre, name="bench-tickets")
    return key


def centre_open_around_the_clock():
    """The bench centre with five counters and the demo's queue services, open around the clock,
    public holidays too: today and tomorrow leave the working calendar of this bench database,
    whatever the date the bench runs on."""
    import datetime

    from django.utils import timezone

    from agencies.models import Centre, OpeningSession
    from calendars.models import CalendarDay
    from calendars.services import calendar_day_remove
    from divisions.models import Ward
    from queueing.demo import queueing_demo_load
    from queueing.models import Counter as QueueCounter

    centre, _ = Centre.objects.update_or_create(
        code=CENTRE, defaults=dict(name="Trung tâm đo hiệu năng", ward=Ward.objects.first(), address="—")
    )
    for weekday in range(7):
        OpeningSession.objects.update_or_create(
            centre=centre,
            weekday=weekday,
            opens=datetime.time(0),
            defaults=dict(closes=datetime.time(23, 59, 59, 999999)),
        )
    for number in range(1, 6):
        QueueCounter.objects.get_or_create(centre=centre, number=number)
    queueing_demo_load([centre])
    for day in (timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)):
        if CalendarDay.objects.filter(date=day, active=True).exists():
            calendar_day_remove(date=day)
    return centre


def tickets_in_database() -> tuple[int, int, int]:
    """The bench centre's tickets: how many, duplicate numbers and gaps (per service and day)."""
    from django.db.models import Count, Max

    from queueing.models import Ticket

    rows = (
        Ticket.objects.filter(centre__code=CENTRE)
        .values("issued_service__letter", "day")
        .annotate(n=Count("pk"), distinct=Count("number", distinct=True), top=Max("number"))
    )
    return (
        sum(r["n"] for r in rows),
        sum(r["n"] - r["distinct"] for r in rows),
        sum(r["top"] - r["distinct"] for r in rows),
    )


def take_tickets(host: str, *, clients: int, seconds: float, kiosk: str) -> dict:
    hostname, port = host.split(":")
    path = f"/api/xep-hang/{CENTRE}/so/"
    latencies: list[float] = []
    codes: list[tuple[str, str]] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(index: int):
        nonlocal errors
        conn = http.client.HTTPConnection(hostname, int(port), timeout=30)
        mine, got, failed = [], [], 0
        letter = LETTERS[index % len(LETTERS)]
        body = json.dumps({"service": letter, "channel": "kiosk"})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {kiosk}"}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                data = response.read()
            except OSError:
                failed += 1
                conn = http.client.HTTPConnection(hostname, int(port), timeout=30)
                continue
            if response.status != 201:
                failed += 1
                continue
            mine.append(time.perf_counter() - started)
            got.append((letter, json.loads(data)["code"]))
        with lock:
            latencies.extend(mine)
            codes.extend(got)
            errors += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    duplicates = sum(n - 1 for n in Counter(codes).values() if n > 1)
    return {
        "tickets": len(codes),
        "errors": errors,
        "duplicates": duplicates,
        "per_s": len(codes) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


# wrk (Debian's package) generates the load in C, so on a 2-core machine the server, not a
# hundred Python client threads, gets the CPU. Without wrk the Python clients above are used.
WRK_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.3f %.3f\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""
WRK_TICKETS = r"""
local letters = {LETTERS}
local i = 0
request = function()
  i = i + 1
  local body = '{"service":"' .. letters[(i % #letters) + 1] .. '","channel":"kiosk"}'
  return wrk.format("POST", "PATH", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer KIOSK"}, body)
end
"""


def wrk_run(host: str, path: str, *, clients: int, seconds: float, script: str | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write((script or "") + WRK_DONE)
        lua.flush()
        output = subprocess.run(
            [*args, "-s", lua.name, f"http://{host}{path}"], capture_output=True, text=True, check=True
        ).stdout
    requests, errors, micros, p50, p95 = next(
        line.split()[1:] for line in output.splitlines() if line.startswith("WRK ")
    )
    duration = int(micros) / 1e6
    return {
        "requests": int(requests),
        "errors": int(errors),
        "rps": int(requests) / duration,
        "p50_ms": float(p50),
        "p95_ms": float(p95),
    }


def main() -> None:
    # The clients stand for a hall's kiosks but all come from 127.0.0.1: a kiosk's token lifts the
    # per-address ticket limit, and the per-caller API limit it counts under instead is lifted
    # here (requestlimits/rates.py), which would otherwise answer 429 after 600 numbers a minute.
    # The limit's own cost (one cache increment per request) stays in the measurement.
    env = bench_env(RATE_LIMIT_API="100000000/minute")
    fresh_database(env)
    use_wrk = shutil.which("wrk") and os.environ.get("BENCH_CLIENT", "wrk") == "wrk"
    kiosk = {}  # its token, issued while gunicorn starts
    with gunicorn(
        env, workers=WORKERS, threads=THREADS, meanwhile=lambda: kiosk.update(token=set_up(env))
    ) as host:
        # Warm-up: imports, connections, first sequences.
        take_tickets(host, clients=8, seconds=WARM_UP_SECONDS, kiosk=kiosk["token"])
        if use_wrk:
            path = f"/api/xep-hang/{CENTRE}/so/"
            letters = ", ".join(f'"{x}"' for x in LETTERS)
            script = (
                WRK_TICKETS.replace("LETTERS", letters).replace("PATH", path).replace("KIOSK", kiosk["token"])
            )
            floor = wrk_run(host, "/health/", clients=CLIENTS, seconds=FLOOR_SECONDS)
            before = tickets_in_database()[0]
            run = wrk_run(host, path, clients=CLIENTS, seconds=SECONDS, script=script)
        else:
            floor = load(host, "/health/", clients=CLIENTS, seconds=FLOOR_SECONDS)
            figures = take_tickets(host, clients=CLIENTS, seconds=SECONDS, kiosk=kiosk["token"])
    total, db_duplicates, db_gaps = tickets_in_database()
    if use_wrk:
        # wrk does not read the answers; the database check below covers every ticket.
        issued = total - before
        figures = {
            "tickets": issued,
            "errors": run["errors"],
            "duplicates": 0,
            "per_s": issued / SECONDS,
            "p50_ms": run["p50_ms"],
            "p95_ms": run["p95_ms"],
        }
    duplicates = figures["duplicates"] + db_duplicates
    print(
        f"cores={os.cpu_count()} gunicorn_workers={WORKERS} threads={THREADS} "
        f"clients={CLIENTS} seconds={SECONDS} load_generator={'wrk' if use_wrk else 'python threads'}"
    )
    print(f"health   {floor['rps']:8.1f} req/s  p95 {floor['p95_ms']:6.1f} ms  (floor: the cheapest page)")
    print(
        f"tickets  {figures['per_s']:8.1f} /s     p50 {figures['p50_ms']:6.1f} ms"
        f"  p95 {figures['p95_ms']:6.1f} ms"
        f"  ({figures['tickets']} tickets, {figures['errors']} errors)"
    )
    print(f"database: {total} tickets, {db_duplicates} duplicate numbers, {db_gaps} gaps")
    print(
        f"tickets_per_s={figures['per_s']:.1f} duplicates={duplicates} gaps={db_gaps} "
        f"p95_ms={figures['p95_ms']:.1f} floor_rps={floor['rps']:.1f} errors={figures['errors']}"
    )


if __name__ == "__main__":
    main()

"""Dossier submissions per second on PostgreSQL under gunicorn, beside a bare one-row-insert floor.

Run: .venv/bin/python bench/submissions.py
Each request files through procedures.services.dossier_submit with what the wizard's last step
has in hand: the form version and the centre from the process's keep (procedures.selectors), and
the signed-in user (not read per request: the floor signs nobody in either). Filing is one
statement on PostgreSQL: the (centre, day) sequence row is taken for the code and the dossier,
with its due date on the working-day calendar, is inserted, and the same statement NOTIFYs the
outbox relay (delivered at commit), exactly as when a citizen files through the API. Nothing is
published: the relay has the dossier entered in the books (timeline, figures, route, receipt)
outside the request.

Two runs: every submission at one centre (all contend for one sequence row, whose lock is held
until the commit's WAL flush: the worst case, bounded by the disk's fsync time) and submissions
spread over the demo's 3 centres in turn. The floor is a bare Django view inserting one row,
measured in the same run, in turns with them. The last line gives the spread figures, plus the
one-centre rate.
"""

from __future__ import annotations

import os
import urllib.parse

from _harness import ROOT, bench_env, combined, fresh_database, gunicorn, load, sized

CLIENTS = sized("BENCH_CLIENTS", 16, smoke=2)
SECONDS = sized("BENCH_SECONDS", 10.0, smoke=0.3)
WORKERS = sized("BENCH_WORKERS", 2, smoke=1)
THREADS = sized("BENCH_THREADS", 4, smoke=2)
ROUNDS = sized("BENCH_ROUNDS", 5, smoke=1)
WARM_UP_SECONDS = sized("BENCH_WARM_UP_SECONDS", 2.0, smoke=0.1)
ENTER_LIMIT = sized("BENCH_ENTER_LIMIT", 1000, smoke=5)


def _floor_table(env: dict) -> None:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, at timestamptz)")


def _count_codes(env: dict) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT code) FROM procedures_dossier"
        ).fetchone()
    return total, distinct


UNCONSUMED = "bench-submissions-unconsumed"  # the PDFs and notices entering asks for: no worker here


def _django_setup(env: dict) -> None:
    """Django in this process, to enter the dossiers afterwards (set up while gunicorn starts)."""
    import sys

    sys.path.insert(0, str(ROOT))
    os.environ.update(env, CELERY_QUEUE=UNCONSUMED, DJANGO_SETTINGS_MODULE="portal.settings")
    import django

    django.setup()


def _enter_some(env: dict, *, limit: int) -> tuple[int, float]:
    """Time the work filing leaves to the worker: timeline, figures, route start, receipt."""
    import time

    import redis

    from procedures.services import dossiers_enter

    started = time.perf_counter()
    entered = dossiers_enter(limit=limit)
    elapsed = time.perf_counter() - started
    redis.Redis.from_url(env["REDIS_URL"]).delete(UNCONSUMED)
    return entered, elapsed


def main() -> None:
    env = bench_env()
    url = urllib.parse.urlparse(env["DATABASE_URL"])
    if url.path in ("", "/"):
        raise SystemExit("DATABASE_URL must name a database")
    fresh_database(env)
    _floor_table(env)
    env["DJANGO_SETTINGS_MODULE"] = "bench.submissions_site.settings"
    paths = {"floor": "/bench/floor/", "one_centre": "/bench/submit/", "spread": "/bench/submit/?spread=1"}
    runs = {name: [] for name in paths}
    with gunicorn(env, workers=WORKERS, threads=THREADS, meanwhile=lambda: _django_setup(env)) as host:
        load(host, "/bench/floor/", clients=4, seconds=WARM_UP_SECONDS)  # warm-up
        load(host, "/bench/submit/?spread=1", clients=4, seconds=WARM_UP_SECONDS)
        # In turns, so that a slow spell of this shared machine weighs on floor and submissions alike.
        for _round in range(ROUNDS):
            for name, path in paths.items():
                runs[name].append(load(host, path, clients=CLIENTS, seconds=SECONDS / ROUNDS))
    figures = {name: combined(taken) for name, taken in runs.items()}
    total, distinct = _count_codes(env)
    entered, enter_seconds = _enter_some(env, limit=ENTER_LIMIT)
    ratio = figures["spread"]["rps"] / figures["floor"]["rps"]
    print(
        f"cores={os.cpu_count()} gunicorn_workers={WORKERS} threads={THREADS} "
        f"clients={CLIENTS} seconds={SECONDS} in {ROUNDS} turns"
    )
    for name, row in figures.items():
        print(
            f"{name:10} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
            f"  ({row['requests']} requests, {row['errors']} errors)"
        )
    print(f"dossiers={total} distinct_codes={distinct}")
    print(
        f"entering in the books afterwards (one worker process, as an outbox.drain task does): "
        f"{entered} in {enter_seconds:.1f} s = {entered / enter_seconds:.0f} dossiers/s"
    )
    print(
        f"submissions_per_s={figures['spread']['rps']:.1f} p95_ms={figures['spread']['p95_ms']:.1f} "
        f"floor_ratio={ratio:.2f} one_centre_per_s={figures['one_centre']['rps']:.1f}"
    )


if __name__ == "__main__":
    main()

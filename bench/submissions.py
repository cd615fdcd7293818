"""Dossier submissions per second on PostgreSQL under gunicorn, beside a bare one-row-insert floor.

Run: .venv/bin/python bench/submissions.py
Each request looks up what the wizard's last step has in hand (the form with its procedure, the
centre, the user: three queries) and files through procedures.services.dossier_submit: the
(centre, day) sequence row locked for the code, and the dossier with its due date on the
working-day calendar, in one short transaction. Nothing is published: the scheduler's next run
enters the dossier in the books (timeline, figures, route, receipt) outside the request.

Two runs: every submission at one centre (all contend for one sequence row, whose lock is held
until the commit's WAL flush: the worst case, bounded by the disk's fsync time) and submissions
spread over the demo's 3 centres in turn. The floor is a bare Django view inserting one row,
measured in the same run. The last line gives the spread figures, plus the one-centre rate.
"""

from __future__ import annotations

import os
import urllib.parse

from _harness import ROOT, bench_env, fresh_database, gunicorn, load

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


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


def _enter_some(env: dict, *, limit: int) -> tuple[int, float]:
    """Time the work filing leaves to the worker: timeline, figures, route start, receipt."""
    import sys
    import time

    import redis

    sys.path.insert(0, str(ROOT))
    queue = "bench-submissions-unconsumed"  # the PDFs and notices it asks for: no worker here
    os.environ.update(env, CELERY_QUEUE=queue, DJANGO_SETTINGS_MODULE="portal.settings")
    import django

    django.setup()
    from procedures.services import dossiers_enter

    started = time.perf_counter()
    entered = dossiers_enter(limit=limit)
    elapsed = time.perf_counter() - started
    redis.Redis.from_url(env["REDIS_URL"]).delete(queue)
    return entered, elapsed


def main() -> None:
    env = bench_env()
    url = urllib.parse.urlparse(env["DATABASE_URL"])
    if url.path in ("", "/"):
        raise SystemExit("DATABASE_URL must name a database")
    fresh_database(env)
    _floor_table(env)
    env["DJANGO_SETTINGS_MODULE"] = "bench.submissions_site.settings"
    figures = {}
    with gunicorn(env, workers=WORKERS, threads=THREADS) as host:
        load(host, "/bench/floor/", clients=4, seconds=2)  # warm-up
        load(host, "/bench/submit/?spread=1", clients=4, seconds=2)
        figures["floor"] = load(host, "/bench/floor/", clients=CLIENTS, seconds=SECONDS)
        figures["one_centre"] = load(host, "/bench/submit/", clients=CLIENTS, seconds=SECONDS)
        figures["spread"] = load(host, "/bench/submit/?spread=1", clients=CLIENTS, seconds=SECONDS)
    total, distinct = _count_codes(env)
    entered, enter_seconds = _enter_some(env, limit=1000)
    ratio = figures["spread"]["rps"] / figures["floor"]["rps"]
    print(
        f"cores={os.cpu_count()} gunicorn_workers={WORKERS} threads={THREADS} "
        f"clients={CLIENTS} seconds={SECONDS}"
    )
    for name, row in figures.items():
        print(
            f"{name:10} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
            f"  ({row['requests']} requests, {row['errors']} errors)"
        )
    print(f"dossiers={total} distinct_codes={distinct}")
    print(
        f"entering in the books afterwards (one worker process, as the scheduler's run does): "
        f"{entered} in {enter_seconds:.1f} s = {entered / enter_seconds:.0f} dossiers/s"
    )
    print(
        f"submissions_per_s={figures['spread']['rps']:.1f} p95_ms={figures['spread']['p95_ms']:.1f} "
        f"floor_ratio={ratio:.2f} one_centre_per_s={figures['one_centre']['rps']:.1f}"
    )


if __name__ == "__main__":
    main()

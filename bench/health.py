"""Requests per second and latency of the landing page and /health/ under gunicorn on PostgreSQL.

Run: .venv/bin/python bench/health.py   (after `make test` has built .venv)
A floor for later benchmarks: what one page costs on this machine before any feature is added.
"""

from __future__ import annotations

import os

from _harness import bench_env, fresh_database, gunicorn, load, sized

CLIENTS = sized("BENCH_CLIENTS", 16, smoke=2)
SECONDS = sized("BENCH_SECONDS", 10.0, smoke=0.25)
WORKERS = sized("BENCH_WORKERS", 2, smoke=1)
WARM_UP_SECONDS = sized("BENCH_WARM_UP_SECONDS", 2.0, smoke=0.1)


def main() -> None:
    env = bench_env()
    fresh_database(env)
    figures = {}
    with gunicorn(env, workers=WORKERS) as host:
        load(host, "/", clients=4, seconds=WARM_UP_SECONDS)  # warm-up: imports, connections, template cache
        for name, path in (("landing", "/"), ("health", "/health/")):
            figures[name] = load(host, path, clients=CLIENTS, seconds=SECONDS)
    print(f"cores={os.cpu_count()} gunicorn_workers={WORKERS} clients={CLIENTS} seconds={SECONDS}")
    for name, row in figures.items():
        print(
            f"{name:8} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
            f"  ({row['requests']} requests, {row['errors']} errors)"
        )
    errors = sum(row["errors"] for row in figures.values())
    print(
        f"landing_rps={figures['landing']['rps']:.1f} landing_p95_ms={figures['landing']['p95_ms']:.1f} "
        f"health_rps={figures['health']['rps']:.1f} errors={errors}"
    )


if __name__ == "__main__":
    main()

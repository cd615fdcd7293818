"""The deadline clock: cost per call of the working-time arithmetic, warm and cold.

Run: .venv/bin/python bench/deadline_clock.py   (after `make test` has built .venv)
On its own database (DATABASE_URL, default motcua_bench): migrate, seed the calendar for this
year and the next two, then time add_working_time / working_time_between / deadline_state as a
beat job over thousands of dossiers calls them, and the cold first call that reads a year.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time

from _harness import ROOT, bench_env, database_create, manage, percentile, sized

CALLS = sized("BENCH_CALLS", 20000, smoke=200)


def fresh_database(env: dict) -> None:
    if database_create(env):
        return  # a copy of the smoke runs' template: migrated, its calendar seeded
    manage(env, "migrate", "--noinput")
    manage(env, "calendar_seed")


def timed(fn, args_list) -> list[float]:
    samples = []
    for args in args_list:
        started = time.perf_counter()
        fn(*args)
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


def main() -> None:
    env = bench_env()
    fresh_database(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from calendars import clock

    tz = clock.zone()
    rng = random.Random(5)
    this = timezone.localdate().year
    base = datetime.datetime(this, 1, 1, tzinfo=tz)
    starts = [base + datetime.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)) for _ in range(CALLS)]

    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()  # the connections are not the calendar's cost
    cache.get(clock.VERSION_KEY)
    clock.forget()
    started = time.perf_counter()
    clock.is_working_day(datetime.date(this + 1, 6, 1))
    cold_ms = (time.perf_counter() - started) * 1000
    for year in (this, this + 1, this + 2):
        clock.is_working_day(datetime.date(year, 1, 2))  # warm: every year in memory

    day = clock.WORKING_DAY
    add_5 = timed(clock.add_working_time, [(s, 5 * day) for s in starts])
    add_60 = timed(clock.add_working_time, [(s, 60 * day) for s in starts[: CALLS // 4]])
    between = timed(clock.working_time_between, [(s, s + datetime.timedelta(days=30)) for s in starts])
    now = base + datetime.timedelta(days=200)
    dues = [clock.add_working_time(s, 10 * day) for s in starts]
    state = timed(clock.deadline_state, [(d, now) for d in dues])
    label = timed(clock.remaining_label, [(d, now) for d in dues])

    def line(name, samples):
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        print(f"{name:<34} p50 {p50:8.1f} µs   p95 {p95:8.1f} µs   ({len(samples)} calls)")
        return p50

    print(f"cores={os.cpu_count()} calls={CALLS}")
    print(f"cold: first call of a year (one query, seed fallback check): {cold_ms:.1f} ms")
    figures = {
        "add_5d_us": line("add_working_time(5 working days)", add_5),
        "add_60d_us": line("add_working_time(60 working days)", add_60),
        "between_30d_us": line("working_time_between(30 days)", between),
        "state_us": line("deadline_state", state),
        "label_us": line("remaining_label", label),
    }
    print(" ".join(f"{k}={v:.1f}" for k, v in figures.items()) + f" cold_ms={cold_ms:.1f}")


if __name__ == "__main__":
    main()

"""Submission → first agency inbox, through the transactional outbox, Redis and a real worker.

Files 1,000 dossiers (all 20 procedures, online and at the counter) at BENCH_RATE per second, as
`dossier_submit` does for a citizen or a clerk, while a real Celery worker (prefork, 2 processes,
the Procfile's settings) with the scheduler enters them in the books (every
PROCEDURES_ENTER_SECONDS, default 1 s) and consumes the hand-offs from Redis. For each dossier:
the time from the start of the submission to the moment its first open step exists (the step's `created_at`,
written by the worker in the transaction that puts it in the agency's inbox). Then checks every
dossier reached exactly one first place: `lost` = dossiers with no step after waiting,
`duplicated` = steps beyond what the process's first open stage needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/handoff.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import PYTHON, ROOT, bench_env, fresh_database, percentile  # noqa: E402

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "1000"))
# Submissions per second, paced: the latency of a hand-off, not of a queue the bench itself piles
# up faster than the machine drains it (Hanoi's whole city files ~0.3 dossiers/s on average).
RATE = float(os.environ.get("BENCH_RATE", "10"))
WARMUP = 50
CONCURRENCY = os.environ.get("BENCH_WORKER_CONCURRENCY", "2")


def main() -> None:
    queue = f"bench-handoff-{uuid.uuid4().hex[:8]}"
    env = bench_env(CELERY_QUEUE=queue)
    print(f"cores: {os.cpu_count()}  database: {env['DATABASE_URL']}  redis: {env['REDIS_URL']}")
    print("preparing a fresh database with the demo data …")
    fresh_database(env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.db.models import Count

    from accounts.models import User
    from agencies.models import Centre
    from procedures.models import Dossier, Procedure
    from procedures.services import dossier_submit
    from routing.models import DossierStep, OutboxMessage, StepDefinition

    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            # The scheduler too: its run every PROCEDURES_ENTER_SECONDS enters what was filed.
            "--beat",
            "--schedule",
            str(ROOT / "var" / f"{queue}-beat-schedule"),
            "--concurrency",
            CONCURRENCY,
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        procedures = list(Procedure.objects.all())
        centres = list(Centre.objects.all())
        citizen = User.objects.get(username="001188123456")
        clerk = User.objects.get(username="canbo.caugiay")
        time.sleep(3)  # let the worker connect before the clock starts

        started: dict[int, float] = {}
        began = time.monotonic()
        for n in range(WARMUP + DOSSIERS):
            pause = began + n / RATE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            procedure = procedures[n % len(procedures)]
            online = n % 2 == 0
            t0 = time.time()
            dossier = dossier_submit(
                form=procedure.current_form(),
                centre=centres[n % len(centres)],
                channel="online" if online else "counter",
                applicant_citizen_id=citizen.username,
                applicant_name="Nguyễn Thị Lan",
                submitted_by=citizen if online else clerk,
                data={},
            )
            if n >= WARMUP:
                started[dossier.pk] = t0
        submitted_at = time.monotonic()

        def first_steps():
            return dict(
                DossierStep.objects.filter(dossier__in=started, state__in=["waiting", "accepted"])
                .values_list("dossier")
                .annotate(first=django.db.models.Min("created_at"))
                .values_list("dossier", "first")
            )

        deadline = time.monotonic() + 60
        seen = first_steps()
        while len(seen) < len(started) and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = first_steps()
        drained = time.monotonic() - submitted_at

        latencies = sorted((seen[pk].timestamp() - t0) * 1000 for pk, t0 in started.items() if pk in seen)
        lost = len(started) - len(seen)
        # What each process's first open stage should hold: online dossiers wait at reception,
        # counter ones (received in person) at the next stage's agencies.
        expected = {}
        for dossier in Dossier.objects.filter(pk__in=started).select_related("procedure"):
            stages = sorted(
                set(
                    StepDefinition.objects.filter(process__procedure=dossier.procedure).values_list(
                        "stage", flat=True
                    )
                )
            )
            first = stages[0] if dossier.channel == "online" else stages[1]
            expected[dossier.pk] = StepDefinition.objects.filter(
                process__procedure=dossier.procedure, stage__lte=first
            ).count()
        actual = dict(
            DossierStep.objects.filter(dossier__in=started).values_list("dossier").annotate(n=Count("pk"))
        )
        duplicated = sum(max(0, actual.get(pk, 0) - n) for pk, n in expected.items())
        unprocessed = OutboxMessage.objects.filter(dossier__in=started).exclude(state="done").count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    p50 = percentile(latencies, 0.50)
    p95 = percentile(latencies, 0.95)
    print(f"dossiers: {len(started)} (after {WARMUP} warm-up) at {RATE:g}/s  worker: prefork x{CONCURRENCY}")
    print(f"all in an inbox {drained:.1f} s after the last submission; outbox not done: {unprocessed}")
    worst = max(latencies, default=0)
    print(f"submission → first inbox: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms")
    print(f"handoff_p50_ms={p50:.0f} handoff_p95_ms={p95:.0f} lost={lost} duplicated={duplicated}")


if __name__ == "__main__":
    main()

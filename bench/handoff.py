"""Submission → first agency inbox, through the transactional outbox, Redis and a real worker.

Files 1,000 dossiers (all 20 procedures, online and at the counter) at BENCH_RATE per second, as
`dossier_submit` does for a citizen or a clerk, while the Procfile's processes run: the outbox
relay (woken by each filing's commit, it enters the dossiers in the books and publishes their
hand-offs), a routing worker (prefork, 2 processes) that consumes the hand-offs from Redis, the
documents worker (niced, 1 process) and the scheduler. With BENCH_PDF_BACKLOG=500, that many PDF
documents are requested first, so the documents worker is busy for the whole run: hand-offs must
not wait behind PDFs (issue 17). For each dossier:
the time from the start of the submission to the moment its first open step exists (the step's `created_at`,
written by the worker in the transaction that puts it in the agency's inbox). Then checks every
dossier reached exactly one first place: `lost` = dossiers with no step after waiting,
`duplicated` = steps beyond what the process's first open stage needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/handoff.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench._harness import PYTHON, ROOT, SMOKE, bench_env, fresh_database, percentile, sized  # noqa: E402

DOSSIERS = sized("BENCH_DOSSIERS", 1000, smoke=6)
# Submissions per second, paced: the latency of a hand-off, not of a queue the bench itself piles
# up faster than the machine drains it (Hanoi's whole city files ~0.3 dossiers/s on average).
RATE = sized("BENCH_RATE", 10.0, smoke=20.0)
WARMUP = sized("BENCH_WARMUP", 50, smoke=2)
WORKERS_START_SECONDS = sized("BENCH_WORKERS_START_SECONDS", 3.0, smoke=1.0)
CONCURRENCY = sized("BENCH_WORKER_CONCURRENCY", "2", smoke="1")
PDF_BACKLOG = int(os.environ.get("BENCH_PDF_BACKLOG", "0"))


def _processes(queue: str, env: dict) -> list[subprocess.Popen]:
    """The Procfile's long-running processes, with this bench's queue names."""
    celery = str(Path(PYTHON).parent / "celery")
    quiet = ["--loglevel", "warning", "--without-gossip", "--without-mingle"]
    commands = [
        [
            celery,
            "-A",
            "portal",
            "worker",
            "-n",
            f"routing-{queue}@%h",
            "-Q",
            queue,
        ]
        + ["--concurrency", CONCURRENCY, *quiet],
        ["nice", "-n", "5", celery, "-A", "portal", "worker", "-n", f"notifications-{queue}@%h"]
        + ["-Q", f"{queue}.notifications", "--concurrency", "1", *quiet],
        ["nice", "-n", "10", celery, "-A", "portal", "worker", "-n", f"documents-{queue}@%h"]
        + ["-Q", f"{queue}.documents", "--concurrency", "1", *quiet],
        [celery, "-A", "portal", "beat", "--loglevel", "warning"]
        + ["--schedule", str(ROOT / "var" / f"{queue}-beat-schedule")],
        [PYTHON, "manage.py", "outbox_relay"],
    ]
    return [subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True) for command in commands]


def _pdf_backlog(count: int) -> None:
    """Ask for `count` signed PDFs at once, as a burst of receipts and results would."""
    from documents.models import Document
    from documents.samples import sample_request

    for n in range(count):
        sample_request(Document.Kind.RECEIPT, key_suffix=f"bench-backlog-{n}-{time.time_ns()}")


def main() -> None:
    queue = f"bench-handoff-{uuid.uuid4().hex[:8]}"
    # Documents are signed with a demo key, as in api_journey.py: a backlog of PDFs must really render.
    env = bench_env(
        CELERY_QUEUE=queue,
        DOCUMENTS_DEMO_PKI="True",
        DOCUMENTS_PKI_DIR=str(ROOT / "var" / "bench-pki"),
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
    )
    print(f"cores: {os.cpu_count()}  database: {env['DATABASE_URL']}  redis: {env['REDIS_URL']}")
    print("preparing a fresh database with the demo data …")
    fresh_database(env)
    processes = _processes(queue, env)  # they start while this process sets Django up
    try:
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
        import django

        django.setup()
        from django.db.models import Count

        from accounts.models import User
        from agencies.models import Centre
        from documents.models import Document
        from procedures.models import Dossier, Procedure
        from procedures.services import dossier_submit
        from routing.models import DossierStep, OutboxMessage, StepDefinition

        procedures = list(Procedure.objects.all())
        centres = list(Centre.objects.all())
        citizen = User.objects.get(username="001188123456")
        clerk = User.objects.get(username="canbo.caugiay")
        time.sleep(WORKERS_START_SECONDS)  # let the workers connect before the clock starts
        if PDF_BACKLOG:
            _pdf_backlog(PDF_BACKLOG)
            print(f"{PDF_BACKLOG} PDFs requested: the documents worker works them off during the run")

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
        pdfs_left = Document.objects.filter(status="pending").count()
    finally:
        # A smoke run checks nothing afterwards, and warm shutdowns take seconds.
        stopping = signal.SIGKILL if SMOKE else signal.SIGTERM
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, stopping)
        for process in processes:
            process.wait(timeout=30)

    p50 = percentile(latencies, 0.50)
    p95 = percentile(latencies, 0.95)
    print(f"dossiers: {len(started)} (after {WARMUP} warm-up) at {RATE:g}/s  worker: prefork x{CONCURRENCY}")
    if PDF_BACKLOG:
        print(f"PDF backlog: {PDF_BACKLOG} requested before filing, {pdfs_left} still pending at the end")
    print(f"all in an inbox {drained:.1f} s after the last submission; outbox not done: {unprocessed}")
    worst = max(latencies, default=0)
    print(f"submission → first inbox: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms")
    print(f"handoff_p50_ms={p50:.0f} handoff_p95_ms={p95:.0f} lost={lost} duplicated={duplicated}")


if __name__ == "__main__":
    main()

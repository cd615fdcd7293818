"""Notifications: the cost notify() adds to a caller's transaction, and commit → sent through the
outbox relay, Redis and a real Celery worker, with lost and duplicated counts.

Run: DATABASE_URL=postgres://…/motcua_bench REDIS_URL=redis://…/N .venv/bin/python bench/notifications.py
Each notify() writes 3 rows (in-app, e-mail, SMS) for the demo citizen; the commit wakes the relay
(the Procfile's `relay` line), which rings the notifications' queue with a drain task; the worker
sends the e-mail (to files under bench/out/, one per message, carrying the notification's key, which is how
duplicates are counted) and the SMS (local gateway).
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import time
from collections import Counter

from _harness import PYTHON, ROOT, bench_env, fresh_database, percentile, sized, stop

EVENTS = sized("BENCH_NOTIFICATIONS", 500, smoke=6)
WORKER_CONCURRENCY = sized("BENCH_WORKER_CONCURRENCY", "2", smoke="1")


def main() -> None:
    mail_dir = ROOT / "bench" / "out" / "notification-mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)
    # Four slashes: django-environ drops the first one of the path.
    env = bench_env(EMAIL_URL=f"filemail:///{mail_dir}")
    fresh_database(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from notifications.models import Notification
    from notifications.services import notify
    from portal.celery import app
    from portal.demo import DEMO_CITIZEN_ID

    app.control.purge()
    relay = subprocess.Popen([PYTHON, "manage.py", "outbox_relay"], cwd=ROOT, env=env, start_new_session=True)
    # One worker for the notifications' queue (the Procfile's `notifications` line) and routing's.
    queues = ",".join(settings.QUEUES_BY_KIND[kind] for kind in ("routing", "notifications"))
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            WORKER_CONCURRENCY,
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:

        def event(key: str) -> float:
            started = time.perf_counter()
            with transaction.atomic():
                notify(
                    key=key,
                    kind="ticket_near_front",
                    citizen_id=DEMO_CITIZEN_ID,
                    context={"ticket_code": "A001", "centre_name": "Trung tâm thử", "ahead": 1},
                )
            return (time.perf_counter() - started) * 1000

        def queued(prefix: str) -> int:
            return Notification.objects.filter(
                key__startswith=prefix, status=Notification.Status.QUEUED
            ).count()

        event("warmup:0")
        deadline = time.monotonic() + 120
        while queued("warmup:") and time.monotonic() < deadline:
            time.sleep(0.2)

        started = time.monotonic()
        notify_ms = [event(f"bench:{index}") for index in range(EVENTS)]
        deadline = time.monotonic() + max(120, EVENTS * 0.5)
        while queued("bench:") and time.monotonic() < deadline:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        stop(worker)
        stop(relay)

    rows = Notification.objects.filter(key__startswith="bench:").exclude(channel="in_app")
    sent = [r for r in rows if r.sent_at is not None]
    delivery_ms = [(r.sent_at - r.created_at).total_seconds() * 1000 for r in sent]
    lost = rows.count() - len(sent)
    keys = Counter()
    for path in mail_dir.iterdir():
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                key = email.message_from_string(chunk.strip()).get("X-MotCua-Notification", "")
                if key.startswith("bench:"):
                    keys[key] += 1
    duplicated = sum(count - 1 for count in keys.values() if count > 1)

    n_p50, n_p95 = percentile(notify_ms, 0.5), percentile(notify_ms, 0.95)
    d_p50, d_p95 = percentile(delivery_ms, 0.5), percentile(delivery_ms, 0.95)
    rate = len(sent) / elapsed
    print(f"cores={os.cpu_count()} events={EVENTS} rows_to_send={rows.count()} workers={WORKER_CONCURRENCY}")
    print(f"notify() in the caller's transaction (3 rows + commit): p50 {n_p50:.1f} ms, p95 {n_p95:.1f} ms")
    print(f"commit → sent by the worker: p50 {d_p50:.0f} ms, p95 {d_p95:.0f} ms; {rate:.0f} sent/s")
    print(f"e-mails on disk: {sum(keys.values())} for {len(keys)} keys; lost={lost} duplicated={duplicated}")
    print(
        f"notify_p50_ms={n_p50:.1f} notify_p95_ms={n_p95:.1f} delivery_p50_ms={d_p50:.0f} "
        f"delivery_p95_ms={d_p95:.0f} sent_per_s={rate:.0f} lost={lost} duplicated={duplicated}"
    )


if __name__ == "__main__":
    main()

"""Signed one-page PDF results: time per document beside bare WeasyPrint, and worker memory over 1,000.

Run: .venv/bin/python bench/documents.py   (after `make test` has built .venv)
It works as a long-lived Celery worker process does: it starts as the worker's processes start
(portal.celery.worker_process_ready: fonts and stylesheets loaded, start-up objects frozen), then
takes the requested documents one after another on PostgreSQL, through Celery's own task tracer,
so each task ends as it does in a worker (portal.celery.task_garbage_collect).
"""

from __future__ import annotations

import ctypes
import gc
import os
import statistics
import sys
import time

from _harness import ROOT, bench_env, fresh_database, percentile, sized

DOCUMENTS = sized("BENCH_DOCUMENTS", 1000, smoke=3)
BARE_RUNS = sized("BENCH_BARE_RUNS", 50, smoke=2)


def rss_mb(*, settled: bool = False) -> float:
    """Resident memory. Settled: after a garbage collection and glibc's malloc_trim, so the figure
    is what the worker holds, not freed memory the allocator has not yet handed back."""
    if settled:
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    env = bench_env(DOCUMENTS_DEMO_PKI="True", MEDIA_ROOT=str(ROOT / "var" / "bench-media"))
    fresh_database(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.template.loader import render_to_string

    from documents.models import Document
    from documents.rendering import page_image_url, render_pdf
    from documents.samples import sample_request
    from documents.services import verify_url
    from documents.tasks import generate_document
    from portal.celery import worker_process_ready
    from qrcodes.images import qr_png

    kind = Document.Kind.MARITAL_STATUS

    # The documents are requested first, as the web processes request them; the worker then takes
    # them one after another, as from its queue. (Requesting each one in this process just before
    # its task, as the bench did until 2 Dec, ran each task after a burst of unrelated ORM work that
    # a worker never does, and cost the signed result about 2 ms a document.)
    queued = {index: sample_request(kind, key_suffix=f"bench-{index}").pk for index in range(-1, DOCUMENTS)}

    def generate(index: int) -> float:
        started = time.perf_counter()
        generate_document.apply(args=[queued[index]], throw=True)
        return (time.perf_counter() - started) * 1000

    worker_process_ready()
    generate(-1)  # the first task loads the keys and templates
    first = Document.objects.get(key=f"{kind}:bench--1")
    html = render_to_string(
        f"documents/{kind}.html",
        {
            "document": first,
            "data": first.context,
            "qr_image": page_image_url("qr"),
            "verify_page": verify_url(first),
            "signed_at": first.issued_at,
        },
    )

    # The same QR the real document carries, so bare WeasyPrint renders the same page.
    qr = qr_png(verify_url(first, seal="mc1." + "x" * 160))

    def bare_run() -> float:
        started = time.perf_counter()
        render_pdf(html, stylesheet="a4", images={"qr": qr})
        return (time.perf_counter() - started) * 1000

    # Bare runs are spread through the signed ones, so a noisy neighbour on the machine slows
    # both alike and the ratio compares like with like.
    every = max(1, DOCUMENTS // BARE_RUNS)
    bare, timings, rss_after_100, raw_after_100, rss_half = [], [], None, None, None
    for index in range(DOCUMENTS):
        timings.append(generate(index))
        if index % every == 0:
            bare.append(bare_run())
        if index == 99:
            raw_after_100 = rss_mb()
            rss_after_100 = rss_mb(settled=True)
        if index == DOCUMENTS // 2 - 1:
            rss_half = rss_mb(settled=True)
    raw_end = rss_mb()
    rss_end = rss_mb(settled=True)
    growth = rss_end - (rss_after_100 if rss_after_100 is not None else rss_end)

    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    bare_median = statistics.median(bare)
    print(f"cores={os.cpu_count()} documents={DOCUMENTS} bare_runs={BARE_RUNS}")
    print(f"signed result: median {median:.1f} ms, p95 {p95:.1f} ms (render + QR + seal + PAdES + store)")
    print(f"bare WeasyPrint on the same HTML: median {bare_median:.1f} ms")
    print(
        f"worker RSS settled: {rss_after_100 or float('nan'):.1f} MB after 100, "
        f"{rss_half or float('nan'):.1f} MB after {DOCUMENTS // 2}, {rss_end:.1f} MB after "
        f"{DOCUMENTS} (as read: {raw_after_100 or float('nan'):.1f} MB, {raw_end:.1f} MB)"
    )
    print(
        f"pdf_median_ms={median:.1f} pdf_p95_ms={p95:.1f} weasyprint_ratio={median / bare_median:.2f} "
        f"memory_growth_mb={growth:.1f}"
    )


if __name__ == "__main__":
    main()

"""A citizen's whole journey through the API only, against a server this script starts.

Run: .venv/bin/python bench/api_journey.py
A fresh database with the demo data, gunicorn (2 workers) and a real Celery worker (the receipt
PDF is made and signed by the worker, as in production). Then, over HTTP, as the demo citizen:

  token → catalogue → procedure → form definition → draft → step (prefilled values + her
  answers) → submit → status and timeline → receipt PDF download → public verification of it.

The result of the marital-status confirmation is not issued automatically yet (routing and the
agency's decision come with issue 5), so the document downloaded is the dossier's signed
receipt (form 01) — the PDF the system does issue by itself today.

A check, not a timing: it prints each step, and last `ok=1 steps=N` when every step did what it
should (`ok=0` otherwise).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _harness import ROOT, bench_env, fresh_database, gunicorn

PORT = int(os.environ.get("BENCH_PORT", "8797"))
CITIZEN, PASSWORD = "001188123456", "motcua-demo-2026"
PROCEDURE = "xac-nhan-tinh-trang-hon-nhan"
EXPECTED_STEPS = 11
RECEIPT_WAIT_SECONDS = float(os.environ.get("BENCH_RECEIPT_WAIT", "60"))


class Journey:
    def __init__(self, host: str):
        self.base = f"http://{host}"
        self.token = ""
        self.steps = 0
        self.ok = True

    def call(self, method: str, path: str, body=None, *, raw: bool = False):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path if path.startswith("/") else path, data, method=method
        )
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
                return response.status, payload if raw else json.loads(payload or b"null"), response.headers
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return error.code, json.loads(payload), error.headers
            except ValueError:
                return error.code, payload[:200], error.headers

    def step(self, name: str, passed: bool, detail: str) -> bool:
        self.steps += 1
        self.ok = self.ok and passed
        print(f"{self.steps:2}. {'ok  ' if passed else 'FAIL'} {name}: {detail}", flush=True)
        return passed


def walk(journey: Journey) -> None:
    status, body, _ = journey.call("POST", "/api/v1/auth/token/", {"username": CITIZEN, "password": PASSWORD})
    if not journey.step(
        "token",
        status == 201 and "key" in body,
        f"{status}, a token ({body.get('key', '')[:4]}…, shown once)" if status == 201 else str(body),
    ):
        return
    journey.token = body["key"]

    status, body, _ = journey.call("GET", "/api/v1/procedures/?q=hon%20nhan")
    found = [p["slug"] for p in body] if status == 200 else []
    journey.step("catalogue", PROCEDURE in found, f"{status}, {len(found)} procedures match 'hon nhan'")

    status, body, _ = journey.call("GET", f"/api/v1/procedures/{PROCEDURE}/")
    journey.step(
        "procedure", status == 200 and body.get("online_level") == "full", f"{status}, {body.get('name')}"
    )

    status, form, _ = journey.call("GET", f"/api/v1/procedures/{PROCEDURE}/form/")
    inputs = [i["name"] for s in form.get("steps", []) for f in s["fields"] for i in f["inputs"]]
    journey.step("form definition", status == 200 and "purpose" in inputs, f"{status}, {len(inputs)} inputs")

    status, draft, _ = journey.call("POST", "/api/v1/drafts/", {"procedure": PROCEDURE})
    if not journey.step("draft", status == 201, f"{status}, draft {draft.get('id')}"):
        return
    step = draft["steps"][0]
    values = {**step["initial"], "purpose": "vay-von"}
    prefilled = values.get("applicant__full_name")
    status, body, _ = journey.call("POST", f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/", values)
    journey.step(
        "save step",
        status == 200 and body.get("next_step") == "kiem-tra" and prefilled == "Nguyễn Thị Lan",
        f"{status}, prefilled name {prefilled!r}, next {body.get('next_step')}",
    )

    status, dossier, _ = journey.call(
        "POST",
        f"/api/v1/drafts/{draft['id']}/submit/",
        {"centre": draft["initial_centre"], "declaration": True},
    )
    if not journey.step(
        "submit", status == 201 and dossier.get("code"), f"{status}, dossier {dossier.get('code')}"
    ):
        return
    code = dossier["code"]

    deadline = time.monotonic() + RECEIPT_WAIT_SECONDS
    while True:  # the worker records the receipt and signs its PDF after the commit
        status, detail, _ = journey.call("GET", f"/api/v1/dossiers/{code}/")
        kinds = [e["kind"] for e in detail.get("timeline", [])] if status == 200 else []
        receipts = [d for d in detail.get("documents", []) if d["kind"] == "receipt" and d["download"]]
        if receipts or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    journey.step(
        "status and timeline",
        status == 200 and detail.get("status") == "received" and "submitted" in kinds,
        f"{status}, {detail.get('status_label')}, due {detail.get('due_date')}, timeline {kinds}",
    )
    if not journey.step("receipt issued", bool(receipts), f"{len(receipts)} signed receipt(s)"):
        return

    status, pdf, headers = journey.call("GET", receipts[0]["download"], raw=True)
    journey.step(
        "download",
        status == 200 and isinstance(pdf, bytes) and pdf.startswith(b"%PDF") and b"/ByteRange" in pdf,
        f"{status}, {headers.get('Content-Type')}, {len(pdf)} bytes, signed={b'/ByteRange' in pdf}",
    )

    journey.token = ""  # anyone holding the paper can check it
    status, check, _ = journey.call("GET", f"/api/v1/documents/{receipts[0]['code']}/verify/")
    journey.step(
        "verify", status == 200 and check.get("valid") is True, f"{status}, valid={check.get('valid')}"
    )


def main() -> None:
    env = bench_env(
        DOCUMENTS_DEMO_PKI="True",
        DOCUMENTS_PKI_DIR=str(ROOT / "var" / "bench-pki"),
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_api_journey"),
    )
    print(f"cores={os.cpu_count()} database={env['DATABASE_URL'].rsplit('/', 1)[-1]}", flush=True)
    fresh_database(env)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "-l", "WARNING", "-c", "1"],
        cwd=ROOT,
        env=env,
    )
    journey = None
    try:
        with gunicorn(env, workers=2, threads=2, port=PORT) as host:
            journey = Journey(host)
            walk(journey)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    ok = journey is not None and journey.ok and journey.steps == EXPECTED_STEPS
    print(f"ok={int(ok)} steps={journey.steps if journey else 0}")


if __name__ == "__main__":
    main()

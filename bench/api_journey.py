"""A citizen's whole journey through the API only, against a server this script starts.

Run: .venv/bin/python bench/api_journey.py
A fresh database with the demo data, gunicorn (2 workers) and a real Celery worker with the
scheduler (the dossier is entered and its receipt PDF made and signed by the worker, as in
production). Then, over HTTP, as the demo citizen:

  token → catalogue → procedure → form definition → draft → step (prefilled values + her
  answers) → submit → status and timeline → receipt PDF download → public verification of it.

Then the units handle it through the agency API, each signing in with a password and a TOTP code
(two-factor sign-in is on, as in production; the bench enrols an authenticator for the two staff
accounts in its fresh database):

  counter clerk: confirms the online dossier received → civil-status officer: accepts, verifies,
  signs (the worker issues the signed result) → counter clerk: hands the result back →
  the citizen: sees the audit trail, downloads the signed result → anyone: verifies it.

A check, not a timing: it prints each step, and last `ok=1 steps=N` when every step did what it
should (`ok=0` otherwise).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _harness import ROOT, SMOKE, bench_env, fresh_database, gunicorn, manage, sized, stop

PORT = int(os.environ.get("BENCH_PORT", "8797"))
CITIZEN, PASSWORD = "001188123456", "motcua-demo-2026"
PROCEDURE = "xac-nhan-tinh-trang-hon-nhan"
CLERK, OFFICER = "canbo.caugiay", "chuyenvien.hotich"
EXPECTED_STEPS = 22
RECEIPT_WAIT_SECONDS = float(os.environ.get("BENCH_RECEIPT_WAIT", "60"))
WORKERS = sized("BENCH_WORKERS", 2, smoke=1)  # gunicorn's
# Authenticator secrets for the two staff accounts, enrolled in the bench's own fresh database.
TOTP_KEYS = {CLERK: secrets.token_hex(20), OFFICER: secrets.token_hex(20)}


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

    citizen_token, journey.token = journey.token, ""  # anyone holding the paper can check it
    status, check, _ = journey.call("GET", f"/api/v1/documents/{receipts[0]['code']}/verify/")
    journey.step(
        "verify", status == 200 and check.get("valid") is True, f"{status}, valid={check.get('valid')}"
    )
    handle(journey, code, citizen_token)


def staff_token(journey: Journey, username: str) -> str:
    from django_otp.oath import totp

    code = f"{totp(bytes.fromhex(TOTP_KEYS[username])):06d}"
    journey.token = ""
    status, body, _ = journey.call(
        "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD, "otp": code}
    )
    journey.step(f"{username} signs in", status == 201 and "key" in body, f"{status}, password + TOTP code")
    return body.get("key", "") if status == 201 else ""


def next_step(journey: Journey, code: str, kind: str, timeout: float = 30):
    """The dossier's open step of this kind in the caller's inbox, once the worker has handed it on."""
    deadline = time.monotonic() + timeout
    while True:
        status, rows, _ = journey.call("GET", "/api/v1/agency/inbox/")
        found = [r for r in rows if r["dossier"] == code and r["kind"] == kind] if status == 200 else []
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.3)


def act(journey: Journey, label: str, step, action: str, body=None, expect: str = "") -> bool:
    if step is None:
        return journey.step(label, False, "the step never reached the inbox")
    status, answer, _ = journey.call("POST", f"/api/v1/agency/steps/{step['id']}/{action}/", body or {})
    state = answer.get("state") if status == 200 else answer
    return journey.step(
        label,
        status == 200 and (not expect or state == expect),
        f"{status}, {step['name']} at {step['agency_name']}: {state}, {step['remaining']}",
    )


def handle(journey: Journey, code: str, citizen_token: str) -> None:
    clerk, officer = staff_token(journey, CLERK), staff_token(journey, OFFICER)
    if not (clerk and officer):
        return
    journey.token = clerk
    reception = next_step(journey, code, "reception")
    if not act(journey, "reception confirms", reception, "complete", {"outcome": "tiep-nhan"}, "done"):
        return
    journey.token = officer
    verification = next_step(journey, code, "processing")
    act(journey, "officer accepts", verification, "accept", expect="accepted")
    if not act(journey, "officer verifies", verification, "complete", {"outcome": "du-dieu-kien"}, "done"):
        return
    if not act(
        journey, "officer signs", next_step(journey, code, "approval"), "complete", {"outcome": "da-ky"}
    ):
        return

    journey.token = citizen_token
    deadline = time.monotonic() + RECEIPT_WAIT_SECONDS
    while True:  # the worker renders and signs the result after the approval commits
        status, detail, _ = journey.call("GET", f"/api/v1/dossiers/{code}/")
        results = [d for d in detail.get("documents", []) if d["kind"] == "marital_status" and d["download"]]
        if results or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if not journey.step("result issued", bool(results), f"{len(results)} signed result(s)"):
        return

    journey.token = clerk
    act(journey, "counter hands back", next_step(journey, code, "return"), "complete", {"outcome": "da-tra"})

    journey.token = citizen_token
    status, detail, _ = journey.call("GET", f"/api/v1/dossiers/{code}/")
    trail = detail.get("trail", []) if status == 200 else []
    handovers = [line for line in trail if line["handover"]]
    journey.step(
        "status and trail",
        status == 200 and detail.get("settled_at") and len(handovers) >= 3,
        f"{status}, {detail.get('status_label')}, {len(trail)} trail lines, {len(handovers)} hand-overs "
        f"({sum(1 for line in handovers if line['step_on_time'])} on time)",
    )
    status, pdf, headers = journey.call("GET", results[0]["download"], raw=True)
    journey.step(
        "result download",
        status == 200 and isinstance(pdf, bytes) and pdf.startswith(b"%PDF") and b"/ByteRange" in pdf,
        f"{status}, {headers.get('Content-Type')}, {len(pdf)} bytes, signed={b'/ByteRange' in pdf}",
    )
    journey.token = ""
    status, check, _ = journey.call("GET", f"/api/v1/documents/{results[0]['code']}/verify/")
    journey.step(
        "result verify",
        status == 200 and check.get("valid") is True and check.get("kind") == "marital_status",
        f"{status}, valid={check.get('valid')}, {check.get('kind_label') or check.get('kind')}",
    )


def enrol_authenticators(env: dict) -> None:
    """As an administrator would: a confirmed TOTP authenticator for each staff account used."""
    script = (
        "from accounts.models import User\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        f"for name, key in {TOTP_KEYS!r}.items():\n"
        "    user = User.objects.get(username=name)\n"
        "    TOTPDevice.objects.create(user=user, name='bench', key=key, confirmed=True)\n"
    )
    manage(env, "shell", "-c", script)


def main() -> None:
    env = bench_env(
        DOCUMENTS_DEMO_PKI="True",
        DOCUMENTS_PKI_DIR=str(ROOT / "var" / "bench-pki"),
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_api_journey"),
        CELERY_QUEUE=f"bench-journey-{os.getpid()}",  # none of another run's leftovers
    )
    if SMOKE:
        # Nothing but the scheduler's sweep enters the dossier and hands it on (no relay runs): every
        # 5 s, it made most of a smoke run's time.
        env["OUTBOX_SWEEP_SECONDS"] = "0.5"
    print(f"cores={os.cpu_count()} database={env['DATABASE_URL'].rsplit('/', 1)[-1]}", flush=True)
    fresh_database(env)
    queue = env["CELERY_QUEUE"]
    worker = subprocess.Popen(
        # With the scheduler (--beat): its runs enter filed dossiers in the books, as in production.
        # One worker takes every kind of task: routing's queue and the documents' and notifications'
        # queues named after it (portal/settings.py QUEUES_BY_KIND).
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "portal",
            "worker",
            "-Q",
            f"{queue},{queue}.documents,{queue}.notifications",
            "-l",
            "WARNING",
            "-c",
            "1",
            "--beat",
            "--schedule",
            str(ROOT / "var" / "bench-journey-beat-schedule"),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    journey = None
    try:
        # The staff's authenticators are enrolled while the worker and gunicorn start.
        with gunicorn(
            env, workers=WORKERS, threads=2, port=PORT, meanwhile=lambda: enrol_authenticators(env)
        ) as host:
            journey = Journey(host)
            walk(journey)
    finally:
        stop(worker)
    ok = journey is not None and journey.ok and journey.steps == EXPECTED_STEPS
    print(f"ok={int(ok)} steps={journey.steps if journey else 0}")


if __name__ == "__main__":
    main()

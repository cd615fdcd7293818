"""The attacker from outside (issue 18): can the public parts be abused over HTTP?

The bench starts the product itself, as production runs it: its own database (DATABASE_URL,
default `motcua_bench_abuse`) with the demo data, its own `redis-server` on a free port, and the
Procfile's `web` (gunicorn with portal/gunicorn.conf.py, DEBUG off, TRUSTED_PROXY_HOPS=1), `worker`
(routing) and `relay` lines. In front of gunicorn stands a simulated proxy in this process: it
appends the address it saw to X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does. So
that one machine can play many clients, the bench tells the proxy which "real" address to append
with a bench-only header (`X-Bench-Peer`) that the proxy strips; whatever X-Forwarded-For the
client writes itself is passed on untouched, as a real proxy would.

Setup (not the attack) uses the ORM: the demo centre opens around the clock, the counter clerk gets
a TOTP authenticator (as an administrator would enrol one), and a few registry residents get an
account with a known password (the lockout victims). Then everything is HTTP, and the database is
only read to judge the outcome. Per category, a minimum number of attempts and a positive control:

  spoofed_filings    the demo citizen files under another person's name (name, citizen ID, birth
                     date changed in the API step; the name changed in the wizard page, disabled
                     inputs posted as a hand-made request would). A spoof counts when the other
                     name or ID reaches the stored dossier, the receipt document's text or the
                     public verify page. Control: a genuine filing is accepted in her own name.
  unchecked_uploads  bad files (HTML, SVG with a script, text named .pdf, 12 MB, EICAR) as an
                     e-form file (API step) and as a supplement answer (API, after the counter
                     clerk's token asked for one). Each accepted bad file counts. Control: a clean
                     one-page PDF is accepted both ways.
  limit_bypasses     X-Forwarded-For rotated on every request against the look-up and the token
                     endpoint: requests served (not 429) beyond the limit (settings.RATE_LIMITS)
                     within one window. Control: a client that does not rotate is served exactly N.
  anonymous_tickets  tickets (kiosk and phone channel) and bookings without an account, a kiosk or
                     a phone code, through the API and the pages, each from its own address (a
                     botnet: per-address limits are not what keeps bots out). Each issued counts.
                     Control: the demo kiosk, registered through its one-time link, gets a number.
  foreign_lockouts   wrong passwords for a victim from the attacker's address until locked out;
                     then the victim, from her own address, signs in (page and API). Each victim
                     refused counts. Control: that sign-in succeeds (the same thing, seen as a pass).

It prints one line per attempt that got through (and a summary per category), then
`controls_ok=N/N` and last `spoofed_filings=N unchecked_uploads=N limit_bypasses=N
anonymous_tickets=N foreign_lockouts=N` — all must be 0. A failed control exits 1: the bench
cannot pass by not trying. BENCH_SMOKE=1: a few attempts per category.

    .venv/bin/python bench/abuse.py
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (  # noqa: E402
    ROOT,
    Line,
    OwnRedis,
    bench_env,
    free_port,
    fresh_database,
    procfile_lines,
    stop_all,
    wait_until_up,
)

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if SMOKE else "3"))  # repeats of each attempt kind
LIMIT_FACTOR = 2 if SMOKE else 3  # rotating requests sent: this many times the limit
VICTIMS = 1 if SMOKE else 3

CITIZEN, PASSWORD = "001188123456", "motcua-demo-2026"
CLERK = "canbo.caugiay"
CENTRE = "000.00.01.H26"
TOTP_KEY = secrets.token_hex(20)
PEER_HEADER = "X-Bench-Peer"
# One-step procedures she may file online, with her answers besides the prefilled values.
PROCEDURES = {
    "xac-nhan-tinh-trang-hon-nhan": {"purpose": "vay-von", "copies": 1},
    "xac-nhan-thong-tin-cu-tru": {"purpose": "Bổ sung hồ sơ vay vốn ngân hàng"},
    "cap-ban-sao-trich-luc-ho-tich": {"extract_kind": "khai-sinh", "copies": 1},
    "cap-phieu-ly-lich-tu-phap": {"certificate_kind": "1", "purpose": "Xin việc", "copies": 1},
}
UPLOAD_PROCEDURE = "chung-thuc-ban-sao-tu-ban-chinh"
UPLOAD_ANSWERS = {"document_name": "Bằng tốt nghiệp", "pages": 1, "copies": 1}
UPLOAD_FIELD = "ban-chinh"

_addresses = iter(f"198.18.{n // 250}.{n % 250 + 1}" for n in range(60000))
_address_lock = threading.Lock()


def new_address() -> str:
    """A client address nobody has used in this run (198.18.0.0/15, the benchmarking range)."""
    with _address_lock:
        return next(_addresses)


# --- The simulated proxy ----------------------------------------------------------------------------


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: int):
        self.upstream = upstream
        super().__init__(("127.0.0.1", 0), ProxyHandler)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards to gunicorn, appending the client's address to X-Forwarded-For (the bench's
    X-Bench-Peer when given, stripped: the "real" address of a simulated client)."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        peer = self.headers.get(PEER_HEADER) or self.client_address[0]
        headers = {}
        for name, value in self.headers.items():
            if name.lower() in (PEER_HEADER.lower(), "connection", "x-forwarded-for", "x-forwarded-proto"):
                continue
            headers[name] = value
        written = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{written}, {peer}" if written else peer
        headers["X-Forwarded-Proto"] = "http"
        conn = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=120)
        try:
            conn.request(self.command, self.path, body, headers)
            response = conn.getresponse()
            payload = response.read()
        except OSError as error:
            self.send_error(502, str(error))
            return
        finally:
            conn.close()
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward


# --- A client: a browser or an app, from one address --------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict

    @property
    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return {"raw": self.body[:200].decode(errors="replace")}

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    def __init__(self, port: int, address: str | None = None):
        self.port = port
        self.address = address or new_address()
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        headers = {PEER_HEADER: self.address, "Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            payload = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _eq, val = pair.partition("=")
                    if val and "max-age=0" not in value.lower():
                        self.cookies[key.strip()] = val.strip().strip('"')
                    else:
                        self.cookies.pop(key.strip(), None)
            return Answer(response.status, payload, {k.lower(): v for k, v in response.getheaders()})
        finally:
            conn.close()

    def get(self, path: str, **headers) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, data, **headers) -> Answer:
        headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}
        return self.request("POST", path, json.dumps(data).encode(), headers)

    def post_form(self, path: str, fields: list[tuple[str, str]], referer: str = "") -> Answer:
        fields = [*fields, ("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1{referer or path}",
            "Origin": "http://127.0.0.1",
        }
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), headers)

    def post_multipart(
        self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]], **headers
    ) -> Answer:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, filename, content_type, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Accept": "application/json",
            **headers,
        }
        return self.request("POST", path, body, headers)

    def sign_in_page(self, username: str, password: str) -> Answer:
        self.get("/dang-nhap/")
        return self.post_form("/dang-nhap/", [("username", username), ("password", password)])

    def sign_in_api(self, username: str, password: str, otp: str = "") -> Answer:
        body = {"username": username, "password": password, **({"otp": otp} if otp else {})}
        answer = self.post_json("/api/v1/auth/token/", body)
        if answer.status == 201:
            self.token = answer.json["key"]
        return answer


class FormParser(HTMLParser):
    """The <form method=post> elements of a page: action and inputs (disabled ones marked)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "inputs": []}
            )
        if not self.forms:
            return
        inputs = self.forms[-1]["inputs"]
        disabled = "disabled" in a
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                inputs.append(
                    {
                        "name": a["name"],
                        "value": a.get("value", "on"),
                        "type": kind,
                        "disabled": disabled,
                        "unchecked": True,
                    }
                )
            elif kind not in ("submit", "button", "image", "file"):
                inputs.append(
                    {"name": a["name"], "value": a.get("value", ""), "type": kind, "disabled": disabled}
                )
        elif tag == "select" and a.get("name"):
            self._select = {
                "name": a["name"],
                "value": None,
                "type": "select",
                "disabled": disabled,
                "options": [],
            }
            inputs.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:  # none selected: the caller picks the first real option
                self._select["value"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "value": "", "type": "textarea", "disabled": disabled}
            inputs.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


# --- Files ---------------------------------------------------------------------------------------


def pdf_bytes(text: str = "MotCua bench", *, pages: int = 1, padding: int = 0, comment: bytes = b"") -> bytes:
    """A small valid PDF (xref offsets computed), optionally with a comment of `padding` bytes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    for i in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text} {i + 1}) Tj ET".encode()
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        objects.append(page.encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"A" * padding + b"\n"
    if comment:
        out += b"%" + comment + b"\n"
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
BAD_FILES = [
    (
        "html",
        "trang.html",
        "text/html",
        b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
    ),
    (
        "html named .pdf",
        "ban-quet.pdf",
        "application/pdf",
        b"<html><body><script>alert(1)</script></body></html>",
    ),
    (
        "svg with script",
        "anh.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    (
        "svg named .png",
        "anh.png",
        "image/png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    ),
    ("text named .pdf", "giay-to.pdf", "application/pdf", b"Day khong phai la tep PDF.\n" * 20),
    ("12 MB pdf", "lon.pdf", "application/pdf", pdf_bytes(padding=12 * 1024 * 1024)),
    ("eicar", "eicar.pdf", "application/pdf", EICAR),
    ("eicar inside a valid pdf", "eicar-trong.pdf", "application/pdf", pdf_bytes(comment=EICAR)),
]


# --- Outcome --------------------------------------------------------------------------------------


@dataclass
class Category:
    name: str
    minimum: int
    attempts: int = 0
    got_through: list[str] = field(default_factory=list)
    controls: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def attempt(self, what: str, through: bool, detail: str) -> None:
        self.attempts += 1
        if through:
            self.got_through.append(f"{what}: {detail}")
        print(f"  [{self.name}] {'THROUGH' if through else 'blocked'} {what}: {detail}", flush=True)

    def control(self, what: str, ok: bool, detail: str) -> None:
        self.controls.append((what, ok, detail))
        print(f"  [{self.name}] control {'ok' if ok else 'FAILED'} {what}: {detail}", flush=True)


# --- Setup (ORM, before the attack) ----------------------------------------------------------------


def setup() -> dict:
    import datetime

    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from agencies.models import Centre, OpeningSession
    from calendars.models import CalendarDay
    from calendars.services import calendar_day_remove
    from registry.models import PersonRecord

    centre = Centre.objects.get(code=CENTRE)
    # Open around the clock whatever the hour the bench runs at (tickets need an open centre).
    for weekday in range(7):
        OpeningSession.objects.filter(centre=centre, weekday=weekday).delete()
        OpeningSession.objects.create(
            centre=centre, weekday=weekday, opens=datetime.time(0), closes=datetime.time(23, 59, 59, 999999)
        )
    for day in (timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)):
        if CalendarDay.objects.filter(date=day, active=True).exists():
            calendar_day_remove(date=day)
    clerk = User.objects.get(username=CLERK)
    TOTPDevice.objects.filter(user=clerk).delete()
    TOTPDevice.objects.create(user=clerk, name="bench", key=TOTP_KEY, confirmed=True)

    me = PersonRecord.objects.get(citizen_id=CITIZEN)
    others = list(
        PersonRecord.objects.exclude(household_code=me.household_code).order_by("citizen_id")[: 20 + VICTIMS]
    )
    victims = []
    for person in others[20 : 20 + VICTIMS]:
        user, _ = User.objects.get_or_create(
            username=person.citizen_id,
            defaults={"citizen_id": person.citizen_id, "first_name": person.full_name},
        )
        user.set_password(PASSWORD)
        user.save()
        victims.append(person.citizen_id)
    return {
        "me": me,
        "others": others[:20],
        "victims": victims,
        "registry_ids": list(
            PersonRecord.objects.exclude(household_code=me.household_code).values_list(
                "citizen_id", flat=True
            )[20 + VICTIMS :]
        ),
    }


def totp_now() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY)):06d}"


# --- spoofed_filings -------------------------------------------------------------------------------


def leaked(code: str, person, port: int) -> str:
    """Where another person's identity shows on dossier `code`: '' when nowhere."""
    from documents.models import Document
    from procedures.models import Dossier

    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        return ""
    marks = [person.full_name, person.citizen_id]
    found = []
    if dossier.applicant_name == person.full_name or dossier.applicant_citizen_id == person.citizen_id:
        found.append(f"dossier applicant {dossier.applicant_name!r}/{dossier.applicant_citizen_id}")
    elif any(m in json.dumps(dossier.data, ensure_ascii=False) for m in marks):
        found.append("dossier data")
    anyone = Client(port)
    for document in Document.objects.filter(subject_ref=code):
        if any(m in json.dumps(document.context, ensure_ascii=False) for m in marks):
            found.append(f"{document.kind} document text")
        if document.file and shutil.which("pdftotext"):
            with contextlib.suppress(Exception):
                text = subprocess.run(
                    ["pdftotext", document.file.path, "-"], capture_output=True, text=True, timeout=30
                ).stdout
                if any(m in text for m in marks):
                    found.append(f"{document.kind} PDF")
        page = anyone.get(f"/verify/{document.code}/")
        if any(m in page.text for m in marks):
            found.append(f"verify page /verify/{document.code}/")
    return ", ".join(found)


def api_filing(client: Client, slug: str, change: dict) -> tuple[str, str]:
    """Draft, its step with the prefilled values overwritten by `change`, submit: (code, why not)."""
    answer = client.post_json("/api/v1/drafts/", {"procedure": slug})
    if answer.status != 201:
        return "", f"draft {answer.status} {str(answer.json)[:120]}"
    draft = answer.json
    step = draft["steps"][0]
    values = {**step["initial"], **PROCEDURES[slug], **change}
    answer = client.post_json(f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/", values)
    if answer.status != 200:
        return "", f"step {answer.status} {str(answer.json.get('errors', answer.json))[:160]}"
    centre = draft.get("initial_centre") or draft["centres"][0]["id"]
    answer = client.post_json(
        f"/api/v1/drafts/{draft['id']}/submit/", {"centre": centre, "declaration": True}
    )
    if answer.status not in (200, 201):
        return "", f"submit {answer.status} {str(answer.json)[:160]}"
    return answer.json["code"], ""


def page_filing(client: Client, slug: str, change_name: str | None, extra: dict) -> tuple[str, str]:
    """The wizard as a browser drives it, every input posted (disabled ones too, as a hand-made
    request would), the applicant's name replaced by `change_name`: (code, why not)."""
    client.get(f"/thu-tuc/{slug}/")
    answer = client.post_form(f"/thu-tuc/{slug}/nop-truc-tuyen/", [], referer=f"/thu-tuc/{slug}/")
    if answer.status not in (301, 302):
        return "", f"start {answer.status}"
    path = urllib.parse.urlsplit(answer.location).path
    for _ in range(6):
        page = client.get(path)
        if page.status in (301, 302):
            target = urllib.parse.urlsplit(page.location).path
            if "/da-nop/" in target:
                return dossier_code_from(target), ""
            path = target
            continue
        forms = [
            f for f in post_forms(page.text) if any(i["name"].endswith("current_step") for i in f["inputs"])
        ]
        if not forms:
            return "", f"no wizard form on {path} ({page.status})"
        fields = []
        step = next(i["value"] for i in forms[0]["inputs"] if i["name"].endswith("current_step"))
        answered = set()
        for item in forms[0]["inputs"]:
            name, value = item["name"], item["value"] or ""
            short = name[len(step) + 1 :] if name.startswith(step + "-") else name
            if short in extra:  # her answer (a radio group is sent once, with it)
                if name not in answered:
                    fields.append((name, str(extra[short])))
                    answered.add(name)
                continue
            if item.get("unchecked"):
                if short == "declaration":
                    fields.append((name, value))
                continue
            if change_name and short == "applicant__full_name":
                value = change_name
            if item["type"] == "select" and not value and item.get("options"):
                value = next((o for o in item["options"] if o), "")
            fields.append((name, value))
        answer = client.post_form(path, fields)
        if answer.status in (301, 302):
            target = urllib.parse.urlsplit(answer.location).path
            if "/da-nop/" in target:
                return dossier_code_from(target), ""
            path = target
            continue
        if answer.status >= 400 or "field-error" in answer.text or "errorlist" in answer.text:
            errors = re.findall(r'class="[^"]*(?:errorlist|field-error)[^"]*"[^>]*>(.*?)<', answer.text)
            return (
                "",
                f"step {step}: {answer.status} {'; '.join(e.strip() for e in errors if e.strip())[:160]}",
            )
    return "", "the wizard did not end"


def dossier_code_from(path: str) -> str:
    found = re.search(r"/ho-so/([^/]+)/da-nop/", path)
    return found.group(1) if found else ""


def spoofed_filings(port: int, data: dict) -> Category:
    category = Category("spoofed_filings", minimum=(4 + (2 if SMOKE else 4)) * ROUNDS)
    me, others = data["me"], data["others"]
    app = Client(port)
    if app.sign_in_api(CITIZEN, PASSWORD).status != 201:
        category.control("citizen token", False, "the demo citizen could not get a token")
        return category
    code, why = api_filing(app, "xac-nhan-tinh-trang-hon-nhan", {})
    from procedures.models import Dossier

    own = Dossier.objects.filter(code=code).values_list("applicant_name", "applicant_citizen_id").first()
    category.control(
        "genuine API filing",
        bool(code) and own == (me.full_name, me.citizen_id),
        f"{code or why}, in the name {own}",
    )
    data["genuine_code"] = code
    slugs = list(PROCEDURES)
    n = 0
    for _round in range(ROUNDS):
        for variant in ("name", "name+birth", "citizen id", "everything"):
            other = others[n % len(others)]
            slug = slugs[n % len(slugs)]
            n += 1
            change = {"applicant__full_name": other.full_name}
            if variant in ("name+birth", "everything"):
                change["applicant__birth_date"] = other.birth_date.isoformat()
            if variant == "citizen id":
                change = {"applicant__citizen_id": other.citizen_id}
            if variant == "everything":
                change["applicant__citizen_id"] = other.citizen_id
                change["applicant__gender"] = other.gender
            code, why = api_filing(app, slug, change)
            where = leaked(code, other, port) if code else ""
            category.attempt(
                f"API {variant} → {other.full_name} ({slug})",
                bool(where),
                f"filed {code}: {where}" if where else (f"filed {code} in her own name" if code else why),
            )
    browser = Client(port)
    answer = browser.sign_in_page(CITIZEN, PASSWORD)
    if answer.status not in (301, 302):
        category.control("page sign-in", False, f"{answer.status}")
        return category
    slug = "xac-nhan-tinh-trang-hon-nhan"
    code, why = page_filing(browser, slug, None, PROCEDURES[slug])
    category.control("genuine page filing", bool(code), code or why)
    for _round in range(ROUNDS):
        for slug in slugs[: 2 if SMOKE else 4]:
            other = others[n % len(others)]
            n += 1
            code, why = page_filing(browser, slug, other.full_name, PROCEDURES[slug])
            where = leaked(code, other, port) if code else ""
            category.attempt(
                f"page name → {other.full_name} ({slug})",
                bool(where),
                f"filed {code}: {where}" if where else (f"filed {code} in her own name" if code else why),
            )
    return category


# --- unchecked_uploads -----------------------------------------------------------------------------


def eform_upload(client: Client, name: str, content_type: str, body: bytes) -> Answer:
    answer = client.post_json("/api/v1/drafts/", {"procedure": UPLOAD_PROCEDURE})
    if answer.status != 201:
        return answer
    draft = answer.json
    step = draft["steps"][0]
    values = {**step["initial"], **UPLOAD_ANSWERS}
    fields = [(k, str(v)) for k, v in values.items() if not isinstance(v, (dict, list)) and v is not None]
    return client.post_multipart(
        f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/",
        fields,
        [(UPLOAD_FIELD, name, content_type, body)],
    )


class Supplement:
    """The genuine dossier, held waiting for a supplement: the counter clerk asks again whenever
    an answer was accepted."""

    def __init__(self, port: int, code: str, citizen: Client):
        self.code, self.citizen = code, citizen
        self.clerk = Client(port)
        self.step_id = None

    def sign_in(self) -> str:
        answer = self.clerk.sign_in_api(CLERK, PASSWORD, totp_now())
        return "" if answer.status == 201 else f"clerk token {answer.status} {answer.json}"

    def waiting(self) -> bool:
        return self.citizen.get(f"/api/v1/dossiers/{self.code}/").json.get("status") == "supplement"

    def ask(self) -> str:
        if self.waiting():
            return ""
        deadline = time.monotonic() + 30
        while True:
            rows = self.clerk.get("/api/v1/agency/inbox/").json
            found = (
                [r for r in rows if isinstance(r, dict) and r.get("dossier") == self.code]
                if isinstance(rows, list)
                else []
            )
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        if not found:
            return f"dossier {self.code} never reached the clerk's inbox"
        step = found[0]
        if step.get("state") == "waiting":
            self.clerk.post_json(f"/api/v1/agency/steps/{step['id']}/accept/", {})
        answer = self.clerk.post_json(
            f"/api/v1/agency/steps/{step['id']}/supplement-request/",
            {"missing": ["Bản quét bản chính giấy tờ"], "reason": "bench"},
        )
        if answer.status != 200:
            return f"supplement request {answer.status} {str(answer.json)[:160]}"
        return ""

    def answer(self, name: str, content_type: str, body: bytes) -> Answer:
        return self.citizen.post_multipart(
            f"/api/v1/dossiers/{self.code}/supplement/",
            [("note", "Bổ sung")],
            [("files", name, content_type, body)],
        )


def unchecked_uploads(port: int, data: dict) -> Category:
    category = Category("unchecked_uploads", minimum=2 * len(BAD_FILES) * ROUNDS)
    citizen = Client(port)
    citizen.sign_in_api(CITIZEN, PASSWORD)
    clean = pdf_bytes("Ban quet ban chinh")
    answer = eform_upload(citizen, "ban-chinh.pdf", "application/pdf", clean)
    category.control(
        "clean PDF as an e-form file", answer.status == 200, f"{answer.status} {str(answer.json)[:120]}"
    )
    supplement = Supplement(port, data.get("genuine_code", ""), citizen)
    why = supplement.sign_in() or supplement.ask()
    if why:
        category.control("supplement requested", False, why)
        return category
    answer = supplement.answer("bo-sung.pdf", "application/pdf", clean)
    category.control(
        "clean PDF as a supplement answer", answer.status == 200, f"{answer.status} {str(answer.json)[:120]}"
    )
    for _round in range(ROUNDS):
        for label, name, content_type, body in BAD_FILES:
            answer = eform_upload(citizen, name, content_type, body)
            category.attempt(
                f"e-form {label} ({name}, {len(body):,} bytes)",
                answer.status == 200,
                f"{answer.status} {str(answer.json)[:140]}",
            )
            why = supplement.ask()
            if why:
                category.notes.append(why)
                print(f"  [unchecked_uploads] cannot ask for a supplement: {why}")
                continue
            answer = supplement.answer(name, content_type, body)
            category.attempt(
                f"supplement {label} ({name}, {len(body):,} bytes)",
                answer.status == 200,
                f"{answer.status} {str(answer.json)[:140]}",
            )
    return category


# --- limit_bypasses ----------------------------------------------------------------------------------


def window_start(seconds_needed: float, period: int) -> None:
    """Wait for a fresh fixed window when the current one has less than `seconds_needed` left."""
    left = period - (time.time() % period)
    if left < seconds_needed + 1:
        time.sleep(left + 0.05)


def limit_bypasses(port: int, data: dict) -> Category:
    from django.conf import settings

    from requestlimits.rates import parse_rate

    category = Category("limit_bypasses", minimum=0)
    targets = {
        "lookup": (
            "/api/v1/dossiers/lookup/",
            lambda n: {"code": "000.00.01.H26-260101-0001", "pin": f"{n:08d}"},
        ),
        "token": (
            "/api/v1/auth/token/",
            lambda n: {"username": f"khong-co-{uuid.uuid4().hex[:8]}", "password": "sai"},
        ),
    }
    for scope, (path, body) in targets.items():
        limit, period = parse_rate(settings.RATE_LIMITS[scope])
        sent = limit * LIMIT_FACTOR
        category.minimum += sent
        window_start(15, period)
        # Control: one client, one address, no games: served exactly `limit` times in the window.
        steady = Client(port)
        served = sum(steady.post_json(path, body(n)).status != 429 for n in range(limit + 5))
        category.control(
            f"{scope}: a non-rotating client is limited at exactly {limit}/{period}s",
            served == limit,
            f"{served} of {limit + 5} served",
        )
        window_start(15, period)
        attacker = Client(port)
        served = 0
        for n in range(sent):
            spoofed = f"203.0.113.{n % 250 + 1}, 10.{n % 200}.{n // 200}.7"
            answer = attacker.post_json(path, body(n), **{"X-Forwarded-For": spoofed})
            if answer.status != 429:
                served += 1
                if served > limit:
                    category.attempts += 1
                    category.got_through.append(
                        f"{scope} #{n + 1} X-Forwarded-For: {spoofed} → {answer.status}"
                    )
                    continue
            category.attempts += 1
        beyond = max(0, served - limit)
        print(
            f"  [limit_bypasses] {scope}: {sent} requests rotating X-Forwarded-For from one client: "
            f"{served} served, {beyond} beyond the limit of {limit}",
            flush=True,
        )
    return category


# --- anonymous_tickets -------------------------------------------------------------------------------


def anonymous_tickets(port: int, data: dict) -> Category:
    from queueing.models import Appointment, QueueService, Ticket

    category = Category("anonymous_tickets", minimum=6 * ROUNDS)
    services_ = list(QueueService.objects.filter(centre__code=CENTRE, active=True).order_by("letter"))
    service = services_[0]
    ids = iter(data["registry_ids"])
    tickets_before, bookings_before = Ticket.objects.count(), Appointment.objects.count()

    # Control: the demo kiosk, registered through its one-time link, gives a number.
    kiosk = Client(port)
    link = f"/xep-hang/{CENTRE}/kiosk/dang-ky/demo-{CENTRE}/"
    kiosk.get(link)
    answer = kiosk.post_form(link, [])
    registered = answer.status in (301, 302)
    kiosk.get(f"/xep-hang/{CENTRE}/kiosk/")
    answer = kiosk.post_form(f"/xep-hang/{CENTRE}/kiosk/", [("service", str(service.pk))])
    category.control(
        "registered kiosk's ticket",
        registered and answer.status in (301, 302) and "/xep-hang/so/" in answer.location,
        f"link {'redeemed' if registered else 'refused'}; take → {answer.status} {answer.location}",
    )

    slots = Client(port).get(f"/api/v1/queue/centres/{CENTRE}/slots/?service={service.letter}").json
    free = [
        s["starts_at"] for s in (slots.get("slots", []) if isinstance(slots, dict) else []) if s.get("free")
    ]
    for round_ in range(ROUNDS):
        bot = Client(port)
        answer = bot.post_json(
            f"/api/v1/queue/centres/{CENTRE}/tickets/", {"service": service.letter, "channel": "kiosk"}
        )
        category.attempt(
            "API kiosk-channel ticket, no token",
            answer.status == 201,
            f"{answer.status} {str(answer.json)[:120]}",
        )
        bot = Client(port)
        cid = next(ids)
        answer = bot.post_json(
            f"/api/v1/queue/centres/{CENTRE}/tickets/",
            {"service": service.letter, "channel": "phone", "citizen_id": cid},
        )
        category.attempt(
            f"API phone ticket for {cid}, no account or code",
            answer.status == 201,
            f"{answer.status} {str(answer.json)[:120]}",
        )
        bot = Client(port)
        bot.get(f"/xep-hang/{CENTRE}/kiosk/")
        answer = bot.post_form(f"/xep-hang/{CENTRE}/kiosk/", [("service", str(service.pk))])
        category.attempt(
            "kiosk page, unregistered browser",
            answer.status in (301, 302) and "/xep-hang/so/" in answer.location,
            f"{answer.status} {answer.location}",
        )
        bot = Client(port)
        cid = next(ids)
        bot.get(f"/xep-hang/{CENTRE}/")
        answer = bot.post_form(f"/xep-hang/{CENTRE}/", [("service", str(service.pk)), ("citizen_id", cid)])
        category.attempt(
            f"phone page ticket for {cid}, anonymous",
            answer.status in (301, 302) and "/xep-hang/so/" in answer.location,
            f"{answer.status} {answer.location}",
        )
        if not free:
            category.notes.append("no free appointment slot: bookings not tried")
            continue
        bot = Client(port)
        cid = next(ids)
        body = {
            "service": service.letter,
            "starts_at": free[round_ % len(free)],
            "full_name": "Bot Tự Động",
            "phone": f"09{secrets.randbelow(10**8):08d}",
            "citizen_id": cid,
        }
        answer = bot.post_json(f"/api/v1/queue/centres/{CENTRE}/appointments/", body)
        category.attempt(
            f"API booking for {cid}, anonymous",
            answer.status == 201,
            f"{answer.status} {str(answer.json)[:120]}",
        )
        bot = Client(port)
        cid = next(ids)
        page = f"/xep-hang/{CENTRE}/dat-lich/?dich-vu={service.letter}"
        bot.get(page)
        fields = [
            ("service", service.letter),
            ("starts_at", free[(round_ + 1) % len(free)]),
            ("full_name", "Bot Tự Động"),
            ("phone", f"09{secrets.randbelow(10**8):08d}"),
            ("citizen_id", cid),
        ]
        answer = bot.post_form(page, fields)
        category.attempt(
            f"booking page for {cid}, anonymous",
            answer.status in (301, 302) and "/lich-hen/" in answer.location,
            f"{answer.status} {answer.location}",
        )
    category.notes.append(
        f"in the database: {Ticket.objects.count() - tickets_before} tickets (1 the kiosk's), "
        f"{Appointment.objects.count() - bookings_before} bookings made during this category"
    )
    return category


# --- foreign_lockouts --------------------------------------------------------------------------------


def foreign_lockouts(port: int, data: dict) -> Category:
    from django.conf import settings

    category = Category("foreign_lockouts", minimum=len(data["victims"]) * 2)
    guesses = settings.AXES_FAILURE_LIMIT + 3
    for victim in data["victims"]:
        for way in ("api", "page"):
            attacker = Client(port)  # a fresh address each way: the page is not pre-locked by the API
            statuses = []
            for guess in range(guesses):
                if way == "api":
                    answer = attacker.post_json(
                        "/api/v1/auth/token/", {"username": victim, "password": f"sai-{guess}"}
                    )
                else:
                    answer = attacker.sign_in_page(victim, f"sai-{guess}")
                statuses.append(answer.status)
            # The attacker's own address is locked out now (429 / the lock-out page), even with
            # the right password: that is the lockout working.
            check = (
                attacker.post_json("/api/v1/auth/token/", {"username": victim, "password": PASSWORD}).status
                if way == "api"
                else attacker.sign_in_page(victim, PASSWORD).status
            )
            victim_client = Client(port)
            if way == "api":
                answer = victim_client.sign_in_api(victim, PASSWORD)
                ok = answer.status == 201
            else:
                answer = victim_client.sign_in_page(victim, PASSWORD)
                ok = answer.status in (301, 302) and "dang-nhap" not in answer.location
            locked_attacker = check != (201 if way == "api" else 302)
            category.attempt(
                f"{way}: {guesses} wrong passwords for {victim} from {attacker.address}",
                not ok,
                f"attacker's answers {statuses[0]}…{statuses[-1]}, attacker with the right password now "
                f"{check} ({'locked' if locked_attacker else 'NOT locked'}); the victim from "
                f"{victim_client.address}: {answer.status} {answer.location}",
            )
            category.control(f"{victim} signs in ({way}) after the attack", ok, f"{answer.status}")
            if not locked_attacker:
                category.notes.append(f"{way}: the lockout did not trigger for the attacker's address")
    return category


# --- The run -------------------------------------------------------------------------------------------


def main() -> int:
    run_dir = ROOT / "bench" / "out" / f"abuse-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    redis = OwnRedis(free_port(), run_dir)
    web_port = int(os.environ.get("BENCH_PORT") or free_port())
    queue = os.environ.get("CELERY_QUEUE") or f"bench-abuse-{os.getpid()}"
    env = bench_env(
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_abuse"),
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        CELERY_QUEUE=queue,
        TRUSTED_PROXY_HOPS="1",
        MOTCUA_VAR_DIR=str(run_dir / "var"),
        MEDIA_ROOT=str(run_dir / "var" / "media"),
        DOCUMENTS_DEMO_PKI="True",
        DOCUMENTS_PKI_DIR=str(run_dir / "var" / "pki"),
        PYTHONUNBUFFERED="1",
        PORT=str(web_port),
    )
    if not os.environ.get("BENCH_TEMPLATE_DATABASE"):  # else the template's, collected with it
        env["STATIC_ROOT"] = str(run_dir / "var" / "static")
    if SMOKE:
        # Smaller limits, counted per hour instead of per minute: a phase of limit_bypasses never
        # waits up to 16 s for a fresh window, and fewer wrong passwords are hashed (Argon2, a
        # fifth of a second each) before the limit or the lockout answers. Each is still reached.
        env.update(RATE_LIMIT_LOOKUP="5/hour", RATE_LIMIT_TOKEN="3/hour", AXES_FAILURE_LIMIT="2")
    print(
        f"cores: {os.cpu_count()}  database: {env['DATABASE_URL'].rsplit('/', 1)[-1]}  redis: own, port "
        f"{redis.port}  mode: {'SMOKE' if SMOKE else 'full'} ({ROUNDS} round(s) per attempt kind)  "
        f"logs: {run_dir.relative_to(ROOT)}/",
        flush=True,
    )
    fresh_database(env, static="quick")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    commands = procfile_lines()
    lines = {name: Line(name, commands[name], env, run_dir) for name in ("web", "worker", "relay")}
    proxy = None
    categories: list[Category] = []
    try:
        redis.start()
        for line in lines.values():
            line.start()
        # While they start: nothing in them reads the rows setup() writes before the first request.
        django.setup()
        data = setup()
        wait_until_up(web_port, timeout=60)
        proxy = Proxy(web_port)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        port = proxy.server_address[1]
        print(
            f"gunicorn on {web_port}, behind the bench's proxy on {port} (appends the client's address)",
            flush=True,
        )
        for attack in (
            spoofed_filings,
            unchecked_uploads,
            limit_bypasses,
            anonymous_tickets,
            foreign_lockouts,
        ):
            began = time.monotonic()
            print(f"{attack.__name__}:", flush=True)
            try:
                categories.append(attack(port, data))
            except Exception as error:  # one category's crash must not hide the others' findings
                category = Category(attack.__name__, minimum=1)
                category.control("ran to its end", False, f"{type(error).__name__}: {error}")
                categories.append(category)
                import traceback

                traceback.print_exc()
            print(f"  ({time.monotonic() - began:.0f} s)", flush=True)
    finally:
        if proxy is not None:
            proxy.shutdown()
        stop_all(lines.values())
        redis.stop()

    print()
    print(f"{'category':18} {'attempts':>8} {'min':>4} {'blocked':>7} {'through':>7}  controls")
    for c in categories:
        ok = sum(1 for _w, passed, _d in c.controls if passed)
        print(
            f"{c.name:18} {c.attempts:8} {c.minimum:4} {c.attempts - len(c.got_through):7} "
            f"{len(c.got_through):7}  {ok}/{len(c.controls)}"
        )
        for note in dict.fromkeys(c.notes):
            print(f"    note: {note}")
    failures = []
    for c in categories:
        for what, passed, detail in c.controls:
            if not passed:
                failures.append(f"{c.name}: control failed: {what}: {detail}")
        if c.attempts < c.minimum:
            failures.append(f"{c.name}: {c.attempts} attempts, fewer than the minimum {c.minimum}")
    through = [f"{c.name}: {line}" for c in categories for line in c.got_through]
    if through:
        print()
        print("got through (should not have):")
        for line in through:
            print(f"  {line}")
    for line in failures:
        print(f"FAILED {line}")
    controls = [passed for c in categories for _w, passed, _d in c.controls]
    counts = {c.name: len(c.got_through) for c in categories}
    print(f"controls_ok={sum(controls)}/{len(controls)}")
    print(
        " ".join(
            f"{name}={counts.get(name, 0)}"
            for name in (
                "spoofed_filings",
                "unchecked_uploads",
                "limit_bypasses",
                "anonymous_tickets",
                "foreign_lockouts",
            )
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

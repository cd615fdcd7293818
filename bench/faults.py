"""Filing through the API while the back end is broken on purpose (issue 17).

The bench starts everything itself: its own database (DATABASE_URL, default
`motcua_bench_faults`), its **own** `redis-server` on a free port (REDIS_URL from the environment is
ignored: this bench stops its Redis, and must never stop a shared one), and the Procfile's lines as
`sh -c` runs them, restart loops included: gunicorn (web), the routing worker, the documents
worker, beat and the outbox relay, on this run's queues (CELERY_QUEUE, default bench-faults-<pid>).

Then the 200 registry residents, each with an account and an API token made in the bench database,
file dossiers through the API as a citizen's app does. First, with only the web running, they fill
in their forms: a draft and its one step (the registry's prefilled values plus the answers) for
four one-step procedures, for themselves and for the people of their household (one draft per
account, applicant and procedure; a second would resume the first). Then, with everything
running, they press Submit at a fixed rate (BENCH_RATE, 10/s), whatever the answers, consecutive
filings from different accounts: each account submits a few times a minute, far below every rate
limit (600 a minute). Meanwhile, each at its own moment, with calm between them:

  workers  every Celery worker process (routing and documents: main processes and pool children)
           is `kill -9`ed, and any the restart loop brings back is killed again for HOLD s; then
           the loop brings them back;
  redis    the Redis server is shut down without saving and started again, empty, after 60 s;
  beat     the scheduler is `kill -9`ed (kept dead for HOLD s), then comes back;
  relay    the outbox relay is `kill -9`ed (kept dead for HOLD s), then comes back.

A fault lasts from its first blow until the restarted processes exist again (new PIDs; a worker
with its pool), or until Redis answers PING again. A filing counts for a fault when its submit
request overlaps the fault. A timeout (BENCH_TIMEOUT, 10 s), a 5xx, a 429 or any other answer
than 201 counts as refused. The client keeps a ledger of every accepted filing's dossier code.

When filing ends, the bench waits (up to DRAIN_WAIT s) for every dossier to reach its first agency
inbox, then compares the ledger with the database:

  lost        accepted codes that are not in the database;
  duplicated  dossiers beyond one per draft (accepted, or submitted without an answer: it may
              have committed), extra `submitted` timeline lines, receipts or route starts,
              steps beyond the process's first stage, and dossiers counted twice in the figures;
  unrouted    dossiers with no agency step at the end (the not entered ones among them);
  route time  submit request → the dossier's first step's `created_at` (when it appeared in the
              agency's inbox); `max_route_s` is over filings made outside every fault.

Per fault it reports filings attempted, accepted and refused while it lasted, the proof that it
happened (PIDs before and after, PING failing), and the drain time: from the fault's end until
every dossier accepted before that end was in an inbox.

The rate and the faults' lengths are fixed, so the number of filings follows from them: about
2,200 at 10/s (a 60 s Redis outage alone takes 600; issue 17's "600 dossiers" cannot be had at
10/s with at least 50 filings in each of the other faults, so the rate wins). BENCH_SMOKE=1 runs
the same sequence in short (1 filing/s, kills held 0.5 s, Redis down 2 s, 0.5 s of calm around
each fault: at least one filing meets each fault) to check the wiring in about half a minute.

    .venv/bin/python bench/faults.py
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (  # noqa: E402
    ROOT,
    Line,
    OwnRedis,
    bench_env,
    cpu_seconds,
    free_port,
    fresh_database,
    machine_busy_seconds,
    percentile,
    procfile_lines,
    stop_all,
    wait_until_up,
)

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
RATE = float(os.environ.get("BENCH_RATE", "1" if SMOKE else "10"))  # filings started per second
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "10"))  # what a citizen's app waits per request
HOLD = 0.5 if SMOKE else 10.0  # killed processes stay dead this long
RESTART_ALLOWANCE = 10.0  # what a restart takes, to plan how many drafts to fill in (a busy machine's)
REDIS_DOWN = 2.0 if SMOKE else 60.0
CALM = 0.5 if SMOKE else 20.0  # before the first fault and after the last
GAP = 0.5 if SMOKE else 20.0  # between two faults: each one's drain is seen on its own
DRAIN_WAIT = 30.0 if SMOKE else 90.0
WARMUP = 2 if SMOKE else 10
MIN_DURING = 0 if SMOKE else 50  # filings each fault must see, or the run proves nothing
# Residents in the bench's registry: four procedures each must cover the run's filings (2,540).
PEOPLE = 700

# One-step procedures a resident files online for themself: the prefilled values plus these answers.
PROCEDURES = {
    "xac-nhan-tinh-trang-hon-nhan": {"purpose": "vay-von", "copies": 1},
    "xac-nhan-thong-tin-cu-tru": {"purpose": "Bổ sung hồ sơ vay vốn ngân hàng"},
    "cap-ban-sao-trich-luc-ho-tich": {"extract_kind": "khai-sinh", "copies": 1},
    "cap-phieu-ly-lich-tu-phap": {"certificate_kind": "1", "purpose": "Xin việc", "copies": 1},
}
WORKER_LINES = ("worker", "notifications", "documents")


# --- The citizens' side ---------------------------------------------------------------------------


@dataclass
class Filing:
    """One dossier to file: its draft filled in beforehand, then submitted at its moment."""

    account: str
    applicant: str
    procedure: str
    draft: str = ""
    centre: int = 0
    warmup: bool = False
    started: float = 0.0  # the submit request was sent (wall clock, seconds)
    ended: float = 0.0  # its answer came, or the client gave up
    code: str = ""
    refused: str = ""  # why, when it was not accepted
    maybe_filed: bool = False  # the submit got no answer (timeout, 5xx): it may have committed


class Citizens:
    """The fixed set of accounts and tokens, filing over HTTP, with a ledger of what was accepted."""

    def __init__(self, port: int, tokens: dict[str, str]):
        self.port, self.tokens = port, tokens
        self.ledger: list[Filing] = []

    def _call(self, conn, path: str, token: str, body) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request("POST", path, json.dumps(body).encode(), headers)
        response = conn.getresponse()
        payload = response.read()
        try:
            return response.status, json.loads(payload or b"null")
        except ValueError:
            return response.status, {"raw": payload[:200].decode(errors="replace")}

    def fill_in(self, filing: Filing) -> str:
        """The citizen's form, before the filing: a draft and its one step (the prefilled values
        plus the answers). Returns why it failed, or ""."""
        token = self.tokens[filing.account]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            body = {"procedure": filing.procedure, "applicant_citizen_id": filing.applicant}
            status, draft = self._call(conn, "/api/v1/drafts/", token, body)
            if status != 201:
                return f"draft {status} {str(draft)[:100]}"
            step = draft["steps"][0]
            values = {**step["initial"], **PROCEDURES[filing.procedure]}
            path = f"/api/v1/drafts/{draft['id']}/steps/{step['name']}/"
            status, saved = self._call(conn, path, token, values)
            if status != 200:
                return f"step {status} {str(saved.get('errors', saved))[:100]}"
            filing.draft = draft["id"]
            filing.centre = draft["initial_centre"] or draft["centres"][0]["id"]
            return ""
        finally:
            conn.close()

    def file(self, filing: Filing) -> Filing:
        """Press Submit: one request, answered within TIMEOUT with a dossier code, or refused."""
        self.ledger.append(filing)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        filing.started = time.time()
        try:
            path = f"/api/v1/drafts/{filing.draft}/submit/"
            body = {"centre": filing.centre, "declaration": True}
            status, dossier = self._call(conn, path, self.tokens[filing.account], body)
            if status == 201:
                filing.code = dossier["code"]
            else:
                filing.refused = f"{status} {str(dossier)[:100]}"
                filing.maybe_filed = status >= 500
        except (OSError, http.client.HTTPException) as error:  # a timeout, a reset, …
            filing.refused = type(error).__name__
            filing.maybe_filed = True
        finally:
            conn.close()
            filing.ended = time.time()
        return filing


def filings_fill_in(citizens: Citizens, count: int) -> tuple[list[Filing], collections.Counter]:
    """`count` filled-in drafts, each a different (account, procedure): a draft is one per such
    pair (a second one would resume the first). Residents file for themselves (filing for another
    adult needs an authorisation letter, issue 18), so the registry holds PEOPLE residents, enough
    for four procedures each; consecutive filings come from different accounts. Returns the drafts
    and why the pairs that could not be filled in failed."""
    from registry.models import PersonRecord

    mine = {
        owner: [(owner, slug) for slug in PROCEDURES]
        for owner in PersonRecord.objects.values_list("citizen_id", flat=True)
        if owner in citizens.tokens
    }
    order = [
        Filing(account=owner, applicant=applicant, procedure=slug)
        for round_ in range(max(len(v) for v in mine.values()))
        for owner, choices in sorted(mine.items())
        if round_ < len(choices)
        for applicant, slug in [choices[round_]]
    ]
    ready: list[Filing] = []
    failed: collections.Counter = collections.Counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for start in range(0, len(order), 64):
            if len(ready) >= count:
                break
            batch = order[start : start + 64]
            for filing, why in zip(batch, pool.map(citizens.fill_in, batch), strict=True):
                if why:
                    failed[f"{filing.procedure}: {why}"] += 1
                else:
                    ready.append(filing)
    return ready[:count], failed


class Pacer(threading.Thread):
    """Submits one filled-in draft every 1/RATE s, whatever the answers: a slow server gets more
    at once, as it would from citizens."""

    def __init__(self, citizens: Citizens, drafts: list[Filing], pool: ThreadPoolExecutor):
        super().__init__(daemon=True)
        self.citizens, self.drafts, self.pool = citizens, drafts, pool
        self.halt = threading.Event()
        self.ran_out = False

    def run(self) -> None:
        began = time.monotonic()
        for n, filing in enumerate(self.drafts):
            pause = began + n / RATE - time.monotonic()
            if pause > 0 and self.halt.wait(pause):
                return
            if self.halt.is_set():
                return
            self.pool.submit(self.citizens.file, filing)
        self.ran_out = True


class Watch(threading.Thread):
    """Twice a second for the whole run: PINGs Redis (the proof of the outage and of its end) and
    reads who holds the scheduler's lease (the proof that a new beat took over)."""

    def __init__(self, redis: OwnRedis):
        super().__init__(daemon=True)
        self.redis = redis
        self.halt = threading.Event()
        self.pings: list[tuple[float, bool]] = []
        self.holders: list[tuple[float, str]] = []  # (since, holder) each time it changes

    def run(self) -> None:
        from django.db import connection

        from health.models import Lease

        while not self.halt.wait(0.5):
            self.pings.append((time.time(), self.redis.ping()))
            holder = Lease.objects.filter(name="beat").values_list("holder", flat=True).first() or ""
            if not self.holders or self.holders[-1][1] != holder:
                self.holders.append((time.time(), holder))
        connection.close()


# --- Faults ---------------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    what: str
    start: float = 0.0
    end: float = 0.0
    proof: list[str] = field(default_factory=list)
    recovered: bool = True
    killed: set[int] = field(default_factory=set)


def kill_fault(name: str, what: str, lines: list[Line]) -> Fault:
    """kill -9 every process of these lines, kill again whatever comes back for HOLD s, then let the
    Procfile's restart loop bring them back (new PIDs, workers with their pool)."""
    fault = Fault(name, what)
    before = {line.name: line.processes() for line in lines}
    killed = fault.killed
    rounds = 0
    fault.start = time.time()
    while True:
        found = [pid for line in lines for pid in line.processes()]
        if found:
            rounds += 1
            for pid in found:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            killed.update(found)
        if time.time() - fault.start >= HOLD:
            break
        time.sleep(0.1)
    deadline = time.monotonic() + 120
    after: dict[str, list[int]] = {}
    while time.monotonic() < deadline:
        after = {line.name: line.processes() for line in lines}
        # a worker is back with its pool (main process + at least one child), the others alone
        back = all(
            pids and not set(pids) & killed and (len(pids) >= 2 or line.name not in WORKER_LINES)
            for line, pids in zip(lines, after.values(), strict=True)
        )
        if back:
            break
        time.sleep(0.1)
    else:
        fault.recovered = False
    fault.end = time.time()
    for line in lines:
        fault.proof.append(f"{line.name}: pids {before[line.name]} → {after.get(line.name)}")
    fault.proof.append(f"{len(killed)} processes SIGKILLed in {rounds} rounds over {HOLD:g} s")
    if not fault.recovered:
        fault.proof.append("NOT BACK after 120 s")
    return fault


def redis_fault(redis: OwnRedis, watch: Watch) -> Fault:
    fault = Fault("redis", f"Redis shut down (nosave) for {REDIS_DOWN:g} s, started again empty")
    run_id = redis.info("run_id")
    fault.start = time.time()
    redis.shutdown()
    time.sleep(max(0.0, fault.start + REDIS_DOWN - time.time()))
    redis.start()
    fault.end = time.time()
    during = [ok for at, ok in watch.pings if fault.start + 0.5 < at < fault.end - 0.5]
    fault.proof.append(
        f"PING failed {during.count(False)} of {len(during)} times while down; "
        f"run_id {run_id[:8]} → {redis.info('run_id')[:8]}, uptime {redis.info('uptime_in_seconds')} s"
    )
    return fault


# --- The run --------------------------------------------------------------------------------------


def citizens_enrol() -> dict[str, str]:
    """An account and an API token for every resident of the registry: citizen ID → key."""
    from accounts.models import ApiToken, User
    from accounts.services import api_token_issue
    from registry.models import PersonRecord

    tokens = {}
    for person in PersonRecord.objects.order_by("citizen_id"):
        user, created = User.objects.get_or_create(
            username=person.citizen_id,
            defaults={"citizen_id": person.citizen_id, "first_name": person.full_name},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        _token, key = api_token_issue(kind=ApiToken.Kind.USER, user=user, name="bench-faults")
        tokens[person.citizen_id] = key
    return tokens


def first_inbox(dossier_ids) -> dict[int, float]:
    """Dossier id → when its first agency step appeared in an inbox (epoch seconds)."""
    from django.db.models import Min

    from routing.models import DossierStep

    rows = (
        DossierStep.objects.filter(dossier__in=dossier_ids)
        .values("dossier")
        .annotate(first=Min("created_at"))
    )
    return {row["dossier"]: row["first"].timestamp() for row in rows}


def wait_routed(seconds: float) -> float:
    """Wait until every dossier is in an inbox, at most `seconds`; returns how long it took."""
    from procedures.models import Dossier

    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if not Dossier.objects.filter(steps__isnull=True).exists():
            break
        time.sleep(0.5)
    return time.monotonic() - began


def overlaps(filing: Filing, fault: Fault) -> bool:
    return filing.started <= fault.end and filing.ended >= fault.start


def main() -> None:
    run_dir = ROOT / "bench" / "out" / f"faults-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    queue = os.environ.get("CELERY_QUEUE") or f"bench-faults-{os.getpid()}"
    redis = OwnRedis(free_port(), run_dir)
    web_port = int(os.environ.get("BENCH_PORT") or free_port())
    env = bench_env(
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_faults"),
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        CELERY_QUEUE=queue,
        MOTCUA_VAR_DIR=str(run_dir / "var"),
        STATIC_ROOT=str(run_dir / "var" / "static"),
        MEDIA_ROOT=str(run_dir / "var" / "media"),
        DOCUMENTS_DEMO_PKI="True",
        DOCUMENTS_PKI_DIR=str(run_dir / "var" / "pki"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        PORT=str(web_port),
    )
    if SMOKE:  # one web worker of portal/gunicorn.conf.py's two serves 2 filings a second
        env["GUNICORN_CMD_ARGS"] = "--workers 1"
    print(
        f"cores: {os.cpu_count()}  database: {env['DATABASE_URL'].rsplit('/', 1)[-1]}  redis: own, port "
        f"{redis.port}  queue: {queue}  logs: {run_dir.relative_to(ROOT)}/",
        flush=True,
    )
    print(
        f"mode: {'SMOKE' if SMOKE else 'full'}  rate {RATE:g} filings/s  request timeout {TIMEOUT:g} s  "
        f"kills held {HOLD:g} s  Redis down {REDIS_DOWN:g} s  calm between faults {GAP:g} s",
        flush=True,
    )
    fresh_database(env, static="none", people=PEOPLE)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()

    commands = procfile_lines()
    lines = {
        name: Line(name, commands[name], env, run_dir) for name in ("web", *WORKER_LINES, "beat", "relay")
    }
    the_rest = [lines[name] for name in (*WORKER_LINES, "beat", "relay")]
    watch = Watch(redis)
    pool = ThreadPoolExecutor(max_workers=256)
    faults: list[Fault] = []
    pacer = None
    try:
        redis.start()
        lines["web"].start()
        tokens = citizens_enrol()  # while the web starts
        citizens = Citizens(web_port, tokens)
        wait_until_up(web_port, timeout=60)
        # The forms are filled in first, with only the web running: the run times the filings. A
        # smoke run's few forms are filled in while the others start, which takes longer.
        if SMOKE:
            for line in the_rest:
                line.start()
        planned = 2 * CALM + 3 * GAP + REDIS_DOWN + 3 * (HOLD + RESTART_ALLOWANCE)
        wanted = WARMUP + int(planned * RATE * 1.15)
        clock = time.monotonic()
        drafts, failed = filings_fill_in(citizens, wanted)
        print(
            f"{len(tokens)} citizens with tokens filled in {len(drafts)} drafts through the API "
            f"in {time.monotonic() - clock:.0f} s (for about {planned:.0f} s of filing)",
            flush=True,
        )
        for why, n in failed.most_common(3):
            print(f"  not filled in: {n} × {why}")
        if not SMOKE:
            for line in the_rest:
                line.start()
        watch.start()
        # Warm-up: filings one after another, then every one followed to its inbox (all is running).
        for filing in drafts[:WARMUP]:
            filing.warmup = True
            if citizens.file(filing).refused:
                raise RuntimeError(f"warm-up filing refused: {filing.refused}")
        if wait_routed(60) >= 60:
            raise RuntimeError("warm-up dossiers never reached an inbox")
        print(f"warm-up: {WARMUP} filed and routed; paced filing starts", flush=True)

        pacer = Pacer(citizens, drafts[WARMUP:], pool)
        began = time.time()
        load_before = os.getloadavg()[0]
        cpu_before = cpu_use(lines)
        pacer.start()
        time.sleep(CALM)
        schedule = [
            lambda: kill_fault(
                "workers",
                "kill -9 every Celery worker process (routing + documents)",
                [lines[n] for n in WORKER_LINES],
            ),
            lambda: redis_fault(redis, watch),
            lambda: kill_fault("beat", "kill -9 beat", [lines["beat"]]),
            lambda: kill_fault("relay", "kill -9 the outbox relay", [lines["relay"]]),
        ]
        for number, blow in enumerate(schedule):
            fault = blow()
            faults.append(fault)
            print(
                f"  {fault.name}: {fault.start - began:6.1f} s → {fault.end - began:6.1f} s  "
                f"{'; '.join(fault.proof)}",
                flush=True,
            )
            time.sleep(GAP if number < len(schedule) - 1 else CALM)
        pacer.halt.set()
        pacer.join()
        pool.shutdown(wait=True)
        ended = time.time()
        load = (load_before, os.getloadavg()[0])
        cpu = cpu_use(lines, before=cpu_before)
        drained = wait_routed(DRAIN_WAIT)
        report(citizens, faults, began, ended, drained, lines, pacer, watch, load, cpu)
    finally:
        if pacer is not None:
            pacer.halt.set()
        watch.halt.set()
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all(lines.values())
        redis.stop()


def postgres_backends() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving this bench's database (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return {pid: cpu_seconds(pid, own=True) for (pid,) in cursor.fetchall()}


def cpu_use(lines: dict[str, Line], before: dict | None = None) -> dict[str, float]:
    """CPU seconds: the machine's, each line's, this bench's own (the citizens' side) and the
    PostgreSQL backends serving its database; since `before` when given (a backend that ended
    meanwhile is not counted)."""
    use = {"machine": machine_busy_seconds()}
    use.update((name, line.cpu_seconds()) for name, line in lines.items())
    use["bench client"] = sum(os.times()[:2])
    backends = postgres_backends()
    if before is None:
        use["postgres"] = 0.0
        use["_backends"] = backends
        return use
    use["postgres"] = sum(cpu - before["_backends"].get(pid, 0.0) for pid, cpu in backends.items())
    return {name: value - before[name] if name != "postgres" else value for name, value in use.items()}


def proofs_from_database(faults: list[Fault], watch: Watch) -> None:
    """What the restarted scheduler and relay left in the database: the lease and the beacons."""
    from health.models import Beacon

    relays = [
        b.name.rsplit(":", 1)[1] for b in Beacon.objects.filter(name__startswith="relay:").order_by("seen_at")
    ]
    for fault in faults:
        if fault.name == "beat":
            pid = lambda holder: int(holder.split(":")[1]) if holder.count(":") == 2 else 0  # noqa: E731
            taken = [
                (at, h) for at, h in watch.holders if at > fault.start and h and pid(h) not in fault.killed
            ]
            fault.proof.append(
                f"lease taken by the new beat ({taken[0][1]}) {taken[0][0] - fault.end:+.1f} s after "
                "it was back"
                if taken
                else "no new beat took the lease before the end (the killed one's lease had not expired)"
            )
        if fault.name == "relay":
            fault.proof.append(f"relay beacons (by pid): {', '.join(relays)}")


def extra(rows) -> int:
    """Rows beyond one per dossier."""
    from django.db.models import Count

    counts = rows.values("dossier").annotate(n=Count("pk")).filter(n__gt=1).values_list("n", flat=True)
    return sum(n - 1 for n in counts)


def report(citizens, faults, began, ended, drained, lines, pacer, watch, load, cpu) -> None:
    from django.db.models import Sum

    from dashboard.models import DailyFigure
    from procedures.models import Dossier, DossierEvent
    from routing.models import DossierStep, OutboxMessage, StepDefinition

    ledger = citizens.ledger
    paced = [f for f in ledger if not f.warmup]
    accepted = [f for f in paced if f.code]
    refused = [f for f in paced if not f.code]
    every_code = {f.code for f in ledger if f.code}

    dossiers = {d.code: d for d in Dossier.objects.select_related("procedure", "submitted_by")}
    lost = sorted(every_code - set(dossiers))
    unacknowledged = sorted(set(dossiers) - every_code)
    by_id = {d.pk: d for d in dossiers.values()}
    inbox = first_inbox(list(by_id))

    # Doubles. (1) Dossiers beyond the filings of one draft (account, applicant, procedure): the
    # accepted one, or one whose submit got no answer (it may have committed, once).
    filed = collections.Counter(
        (d.submitted_by.username, d.applicant_citizen_id, d.procedure.slug) for d in dossiers.values()
    )
    expected = collections.Counter((f.account, f.applicant, f.procedure) for f in ledger if f.code)
    maybe = collections.Counter((f.account, f.applicant, f.procedure) for f in ledger if f.maybe_filed)
    doubles = {
        "dossiers": sum(max(0, n - expected[key] - maybe[key]) for key, n in filed.items()),
        "submitted events": extra(DossierEvent.objects.filter(kind="submitted")),
        "receipt events": extra(DossierEvent.objects.filter(kind="receipt")),
        "route starts": extra(OutboxMessage.objects.filter(topic="route_start")),
    }
    # (2) Steps beyond the first stage's: nobody acts on these dossiers, so each holds exactly its
    # process's first stage (online dossiers wait at reception).
    stages = collections.defaultdict(list)
    for procedure_id, stage in StepDefinition.objects.values_list("process__procedure_id", "stage"):
        stages[procedure_id].append(stage)
    first_stage = {key: values.count(min(values)) for key, values in stages.items()}
    steps = collections.Counter(DossierStep.objects.values_list("dossier", flat=True))
    doubles["steps"] = sum(max(0, steps[d.pk] - first_stage.get(d.procedure_id, 0)) for d in by_id.values())
    # (3) The figures count each entered dossier once.
    entered = sum(1 for d in by_id.values() if d.entered_at)
    counted = DailyFigure.objects.aggregate(n=Sum("received"))["n"] or 0
    doubles["figures"] = max(0, counted - entered)
    duplicated = sum(doubles.values())
    not_entered = [d.code for d in by_id.values() if not d.entered_at]
    unrouted = [d.code for d in by_id.values() if d.pk not in inbox]

    def route_s(filing: Filing) -> float | None:
        dossier = dossiers.get(filing.code)
        if dossier is None or dossier.pk not in inbox:
            return None
        return inbox[dossier.pk] - filing.started

    calm = [f for f in accepted if not any(overlaps(f, fault) for fault in faults)]
    calm_routes = [r for r in (route_s(f) for f in calm) if r is not None]
    all_routes = [r for r in (route_s(f) for f in accepted) if r is not None]
    last_end = max((fault.end for fault in faults), default=began)
    after_last = [r for r in (route_s(f) for f in accepted if f.started > last_end) if r is not None]
    proofs_from_database(faults, watch)

    print()
    print(
        f"filing: {ended - began:.0f} s at {RATE:g}/s, {len(paced)} attempted, {len(accepted)} accepted, "
        f"{len(refused)} refused" + ("; ran out of filled-in drafts before the end" if pacer.ran_out else "")
    )
    print(f"load average (1 min) when filing started: {load[0]:.1f}, when it stopped: {load[1]:.1f}")
    ours = sum(v for k, v in cpu.items() if k != "machine")
    print(
        f"CPU seconds while filing ({os.cpu_count()} cores × {ended - began:.0f} s = "
        f"{os.cpu_count() * (ended - began):.0f}): machine {cpu['machine']:.0f}, "
        + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items() if k != "machine")
        + f", the rest (other work on the machine) {cpu['machine'] - ours:.0f}"
    )
    reasons = collections.Counter(f.refused[:80] for f in refused)
    for reason, n in reasons.most_common(8):
        print(f"  refused {n} × {reason}")
    print(f"all dossiers in an inbox {drained:.1f} s after filing stopped (waited up to {DRAIN_WAIT:g} s)")
    print()
    print(
        f"{'fault':8} {'from':>7} {'to':>7} {'attempted':>9} {'accepted':>8} {'refused':>7} {'drain_s':>8}  "
        "max route of its filings"
    )
    refused_during = set()
    for fault in faults:
        during = [f for f in paced if overlaps(f, fault)]
        refused_here = [f for f in during if not f.code]
        refused_during.update(id(f) for f in refused_here)
        before_end = [f for f in accepted if f.started <= fault.end]
        routes = [inbox.get(dossiers[f.code].pk) for f in before_end if f.code in dossiers]
        drain = "never" if None in routes else f"{max(0.0, max(routes, default=fault.end) - fault.end):.1f}"
        worst = max(
            (r for r in (route_s(f) for f in during if f.code) if r is not None), default=float("nan")
        )
        short = "" if len(during) >= MIN_DURING else f"  (fewer than {MIN_DURING}: proves little)"
        print(
            f"{fault.name:8} {fault.start - began:7.1f} {fault.end - began:7.1f} {len(during):9} "
            f"{len(during) - len(refused_here):8} {len(refused_here):7} {drain:>8}  {worst:.1f} s{short}"
        )
        print(f"         {fault.what}")
        for line in fault.proof:
            print(f"         proof: {line}")
    refused_outside = [f for f in refused if id(f) not in refused_during]
    print()
    print(f"refused outside faults: {len(refused_outside)}")
    print(f"lost (accepted, not in the database): {len(lost)} {lost[:5]}")
    print(
        "in the database without an accepted answer (timed-out submits that committed): "
        f"{len(unacknowledged)}"
    )
    print(f"duplicated: {duplicated}  ({', '.join(f'{k} {v}' for k, v in doubles.items())})")
    print(
        f"not entered: {len(not_entered)} {not_entered[:5]}; "
        f"unrouted (no agency step): {len(unrouted)} {unrouted[:5]}"
    )
    print(
        f"filing → first inbox, outside faults ({len(calm_routes)}): "
        f"p50 {percentile(calm_routes, 0.5):.2f} s, "
        f"p95 {percentile(calm_routes, 0.95):.2f} s, max {max(calm_routes, default=float('nan')):.2f} s; "
        f"all filings: max {max(all_routes, default=float('nan')):.1f} s; "
        f"after the last fault: max {max(after_last, default=float('nan')):.2f} s"
    )
    attempts = collections.Counter(
        OutboxMessage.objects.filter(topic="route_start").values_list("state", "attempts")
    )
    worker_log = lines["worker"].log_path.read_text()
    drained = r"outbox\.drain\[[^]]*\] succeeded in [0-9.]+s: (\d+)"
    drains = collections.Counter(re.findall(drained, worker_log))
    print(
        "route starts by attempts: "
        + ", ".join(f"{state} {n}×: {count}" for (state, n), count in sorted(attempts.items()))
        + f"; drain tasks run in the workers: {sum(drains.values())}"
        + f" ({drains.get('0', 0)} found nothing to do)"
    )
    log_summary(lines)
    max_route = max(calm_routes, default=float("nan"))
    print(
        f"filed={len(accepted)} refused_during_faults={len(refused_during)} lost={len(lost)} "
        f"duplicated={duplicated} unrouted={len(unrouted)} max_route_s={max_route:.1f}"
    )


def log_summary(lines) -> None:
    """Restarts and errors each process logged, so a failure can be traced to the process that had it:
    error lines, and for each traceback its exception line."""
    for line in lines.values():
        text = line.log_path.read_text(errors="replace") if line.log_path.exists() else ""
        restarts = len(re.findall(r"stopped \(exit \d+\): restarting", text))
        errors, in_traceback = [], False
        for row in text.splitlines():
            if row.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and not row.startswith(" "):
                errors.append(row)
                in_traceback = False
            elif re.search(r"\b(ERROR|CRITICAL)\b", row):
                errors.append(re.sub(r"^\[[^]]*\] ?", "", row))
        if restarts or errors:
            print(f"{line.name} log: {restarts} restarts (each after a kill), {len(errors)} errors")
            for row, n in collections.Counter(row[:120] for row in errors).most_common(3):
                print(f"    {n} × {row}")


if __name__ == "__main__":
    main()

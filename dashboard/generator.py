"""Realistic dossier history for load tests and demos: N dossiers over a year, across the centres.

Each dossier gets a code from its centre's daily sequence, a receipt time in working hours (online
ones at any hour), a due date on the working-day calendar, an outcome (settled on time or late,
refused, still open and due soon or overdue), its timeline events, a hand-back and sometimes a
satisfaction rating. Rows go in by PostgreSQL COPY (bulk_create elsewhere) in batches; the daily
figures are rebuilt at the end.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Centre, Membership
from calendars.clock import DeadlineState
from procedures import deadlines
from procedures.models import (
    Channel,
    DailySequence,
    Dossier,
    DossierEvent,
    HandBack,
    Procedure,
)
from queueing.models import Counter
from registry.citizen_id import make_citizen_id
from satisfaction.criteria import criteria
from satisfaction.models import Rating

# How the load splits between fields (PROCEDURES.md: certified copies, civil status and residence
# are most of a ward centre's dossiers).
FIELD_WEIGHTS = {
    "certification": 40,
    "civil_status": 28,
    "residence": 16,
    "judicial_records": 5,
    "business_household": 4,
    "land": 4,
    "construction": 3,
}
STAFF_PER_CENTRE = 5
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Đức Huy",
    "Thị Lan",
    "Văn Nam",
    "Ngọc Mai",
]


def _ids(model, count: int) -> list[int]:
    """Primary keys taken from the table's own sequence (PostgreSQL), so live filing can go on meanwhile."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _write(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    fields = {f.column: f.attname for f in model._meta.concrete_fields}
    objects = []
    for row in rows:
        values = {fields[c]: v for c, v in zip(columns, row, strict=True)}
        for name, value in values.items():
            if isinstance(value, str) and model._meta.get_field(name).get_internal_type() == "JSONField":
                values[name] = json.loads(value)
        objects.append(model(**values))
    model.objects.bulk_create(objects, batch_size=2000)


def _staff(centres: list[Centre]) -> dict[int, list[int]]:
    """Counter clerks per centre, topped up to about five (the usual staffing of a ward centre)."""
    staff: dict[int, list[int]] = {}
    for centre in centres:
        users = list(
            Membership.objects.filter(role=Membership.Role.COUNTER_STAFF, centre=centre).values_list(
                "user_id", flat=True
            )
        )
        for n in range(len(users), STAFF_PER_CENTRE):
            user, _created = User.objects.get_or_create(
                username=f"mo-phong.{centre.pk}.{n}",
                defaults={"first_name": f"Cán bộ {n + 1}", "last_name": centre.ward.name, "password": "!"},
            )
            Membership.objects.get_or_create(user=user, role=Membership.Role.COUNTER_STAFF, centre=centre)
            users.append(user.pk)
        staff[centre.pk] = users
    return staff


def _citizens(count: int = 300) -> list[tuple[int, str, str]]:
    """A pool of citizen accounts that file online (user id, citizen ID, name)."""
    pool = []
    password = make_password(None)
    for serial in range(count):
        citizen_id = make_citizen_id(
            province_code="001",
            gender="male" if serial % 2 else "female",
            birth_year=1960 + serial % 45,
            serial=900000 + serial,
        )
        name = f"{FAMILY[serial % len(FAMILY)]} {GIVEN[serial % len(GIVEN)]}"
        user, _created = User.objects.get_or_create(
            citizen_id=citizen_id, defaults={"username": citizen_id, "password": password, "first_name": name}
        )
        pool.append((user.pk, citizen_id, name))
    return pool


@lru_cache(maxsize=100_000)
def _due(day: datetime.date, late_in_day: bool, limit: int) -> tuple[datetime.date, datetime.datetime]:
    tz = timezone.get_current_timezone()
    at = datetime.datetime.combine(day, datetime.time(16 if late_in_day else 9), tzinfo=tz)
    due_date = deadlines.due_date(at, working_days=limit)
    return due_date, datetime.datetime.combine(due_date, datetime.time(17), tzinfo=tz)


def dossiers_generate(
    *,
    count: int,
    days: int = 365,
    seed: int = 7,
    batch: int = 20_000,
    now: datetime.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `count` dossiers received over the last `days` days. Returns how many were written."""
    from .services import figures_rebuild

    rng = random.Random(seed)
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    centres = list(Centre.objects.select_related("ward").order_by("pk"))
    procedures = list(Procedure.objects.order_by("rank", "pk"))
    if not centres or not procedures:
        raise ValueError("Load the demo data first: no centre or procedure to file dossiers with.")
    forms = {p.pk: p.current_form().pk for p in procedures}
    by_field: dict[str, list[Procedure]] = {}
    for p in procedures:
        by_field.setdefault(p.field, []).append(p)
    weights = [FIELD_WEIGHTS.get(p.field, 2) / len(by_field[p.field]) for p in procedures]
    centre_weights = [1.0 / (1 + 0.4 * i) for i in range(len(centres))]
    # Some centres are late more often than others, and so are multi-agency procedures.
    centre_late = {c.pk: 0.03 + 0.05 * (i % 3) for i, c in enumerate(centres)}
    staff = _staff(centres)
    counters = {c.pk: list(Counter.objects.filter(centre=c).values_list("pk", flat=True)) for c in centres}
    citizens = _citizens()
    keys = [c.key for c in criteria()]
    sequences = {(s.centre_id, s.day): s.last for s in DailySequence.objects.all()}
    codes = {c.pk: c.code for c in centres}
    today = timezone.localtime(now).date()
    written = 0
    while written < count:
        size = min(batch, count - written)
        with transaction.atomic():
            _batch(
                size=size, rng=rng, now=now, tz=tz, today=today, days=days, centres=centres,
                centre_weights=centre_weights, procedures=procedures, weights=weights, forms=forms,
                centre_late=centre_late, staff=staff, counters=counters, citizens=citizens, keys=keys,
                sequences=sequences, codes=codes,
            )  # fmt: skip
        written += size
        if progress:
            progress(written)
    DailySequence.objects.bulk_create(
        [DailySequence(centre_id=c, day=d, last=last) for (c, d), last in sequences.items()],
        update_conflicts=True,
        unique_fields=["centre", "day"],
        update_fields=["last"],
    )
    figures_rebuild()
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # Fresh statistics for the planner, and the visibility map set so the covering indexes
        # answer without reading the table (what autovacuum would do a little later).
        with connection.cursor() as cursor:
            for model in (Dossier, DossierEvent, HandBack, Rating):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return written


def _batch(*, size, rng, now, tz, today, days, centres, centre_weights, procedures, weights, forms,
           centre_late, staff, counters, citizens, keys, sequences, codes):  # fmt: skip
    dossier_ids = _ids(Dossier, size)
    dossiers, events, hand_backs, ratings = [], [], [], []
    chosen_centres = rng.choices(centres, centre_weights, k=size)
    chosen_procedures = rng.choices(procedures, weights, k=size)
    for pk, centre, procedure in zip(dossier_ids, chosen_centres, chosen_procedures, strict=True):
        age_days = int(rng.random() ** 1.15 * days)  # a little more recent traffic than old
        day = today - datetime.timedelta(days=age_days)
        online_share = 0.45 + 0.35 * (1 - age_days / max(days, 1))  # online filing grows over the year
        if procedure.online_level == Procedure.OnlineLevel.FULL:
            online_share += 0.1
        online = rng.random() < online_share
        if not online and day.weekday() >= 5:
            day -= datetime.timedelta(days=day.weekday() - 4)  # the counter is closed at weekends
        minutes = rng.randint(6 * 60, 22 * 60) if online else rng.randint(7 * 60 + 30, 16 * 60 + 50)
        received = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=tz)
        if received > now:
            received = now - datetime.timedelta(minutes=rng.randint(1, 600))
            day = timezone.localtime(received).date()
        due_date, due_at = _due(day, timezone.localtime(received).hour >= 15, procedure.time_limit_days)
        late_chance = centre_late[centre.pk] + 0.06 * (len(procedure.agency_kinds) > 1)
        late = rng.random() < late_chance
        if late:
            settled = due_at + datetime.timedelta(minutes=rng.randint(60, 5 * 24 * 60))
        else:
            span = (due_at - received).total_seconds()
            settled = received + datetime.timedelta(seconds=max(rng.uniform(0.15, 0.98) * span, 600))
        sequences[(centre.pk, day)] = number = sequences.get((centre.pk, day), 0) + 1
        code = f"{codes[centre.pk]}-{day:%y%m%d}-{number:04d}"
        if online:
            submitted_by, citizen_id, name = rng.choice(citizens)
        else:
            submitted_by = rng.choice(staff[centre.pk])
            _user, citizen_id, name = rng.choice(citizens)
        channel = Channel.ONLINE if online else rng.choice((Channel.COUNTER, Channel.COUNTER, Channel.PAPER))
        events.append(
            (pk, DossierEvent.Kind.SUBMITTED, Dossier.Status.RECEIVED, received, str(channel.label))
        )
        events.append((pk, DossierEvent.Kind.RECEIPT, Dossier.Status.RECEIVED, received, ""))
        processing_at = received + datetime.timedelta(minutes=rng.randint(5, 90))
        if settled > now:
            # Still open: the deadline state the routing clock would show now.
            status = Dossier.Status.PROCESSING if processing_at < now else Dossier.Status.RECEIVED
            if status == Dossier.Status.PROCESSING:
                events.append((pk, DossierEvent.Kind.STATUS, status, processing_at, ""))
            left = (due_at - now).total_seconds() / 3600
            state = (
                DeadlineState.OVERDUE
                if left < 0
                else DeadlineState.DUE_SOON
                if left < 8
                else DeadlineState.ON_TRACK
            )
            dossiers.append(
                (pk, code, procedure.pk, forms[procedure.pk], centre.pk, channel, status, citizen_id, name,
                 submitted_by, "{}", 0, received, due_date, due_at, state, None, None, received)
            )  # fmt: skip
            continue
        events.append((pk, DossierEvent.Kind.STATUS, Dossier.Status.PROCESSING, processing_at, ""))
        refused = rng.random() < 0.02
        status = Dossier.Status.REFUSED if refused else Dossier.Status.DONE
        events.append((pk, DossierEvent.Kind.STATUS, status, settled, ""))
        returned_at = settled + datetime.timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        if not refused and returned_at < now:
            status = Dossier.Status.RETURNED
            download = online and rng.random() < 0.6
            method = HandBack.Method.DOWNLOAD if download else HandBack.Method.PAPER
            counter = None if download or not counters[centre.pk] else rng.choice(counters[centre.pk])
            clerk = None if download else rng.choice(staff[centre.pk])
            hand_backs.append((pk, method, returned_at, clerk, counter, name, download or rng.random() < 0.3))
            events.append(
                (pk, DossierEvent.Kind.HAND_BACK, status, returned_at, str(HandBack.Method(method).label))
            )
            if rng.random() < 0.2:
                answers = {k: 2 if rng.random() < 0.86 else (1 if rng.random() < 0.8 else 0) for k in keys}
                rated_at = min(returned_at + datetime.timedelta(minutes=rng.randint(1, 2000)), now)
                ratings.append(
                    (pk, centre.pk, procedure.pk, counter, "tablet" if counter else "link",
                     json.dumps(answers), sum(answers.values()), "", rated_at)
                )  # fmt: skip
        dossiers.append(
            (pk, code, procedure.pk, forms[procedure.pk], centre.pk, channel, status, citizen_id, name,
             submitted_by, "{}", 0, received, due_date, due_at, DeadlineState.ON_TRACK, settled, not late,
             received)
        )  # fmt: skip
    _write(
        Dossier,
        ["id", "code", "procedure_id", "form_id", "centre_id", "channel", "status", "applicant_citizen_id",
         "applicant_name", "submitted_by_id", "data", "fee", "received_at", "due_date", "due_at",
         "deadline_state", "settled_at", "on_time", "entered_at"],  # its timeline and figures written here
        dossiers,
    )  # fmt: skip
    event_ids = _ids(DossierEvent, len(events))
    _write(
        DossierEvent,
        ["id", "dossier_id", "kind", "status", "at", "note"],
        [(i, *row) for i, row in zip(event_ids, events, strict=True)],
    )
    hand_back_ids = _ids(HandBack, len(hand_backs))
    _write(
        HandBack,
        ["id", "dossier_id", "method", "at", "by_id", "counter_id", "receiver_name", "digital"],
        [(i, *row) for i, row in zip(hand_back_ids, hand_backs, strict=True)],
    )
    rating_ids = _ids(Rating, len(ratings))
    _write(
        Rating,
        ["id", "dossier_id", "centre_id", "procedure_id", "counter_id", "channel", "answers", "total",
         "comment", "created_at"],
        [(i, *row) for i, row in zip(rating_ids, ratings, strict=True)],
    )  # fmt: skip

"""Keeping the daily figures: one small upsert per event, in the transaction of the change that
the lower apps tell of (dashboard/receivers.py), and a rebuild."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from agencies.models import Centre
from agencies.selectors import handling_agency
from procedures.models import Attachment, Channel, Dossier, HandBack, Procedure

from .models import CounterDailyFigure, DailyFigure, StaffDailyFigure

# The count columns of models.Counts: what each event adds to and every reader sums.
COUNTS = (
    "received",
    "received_online",
    "received_full",
    "received_full_online",
    "received_digitised",
    "settled",
    "settled_on_time",
    "returned",
    "returned_digital",
    "ratings",
    "rating_points",
)


def _local_day(at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at).date()


@lru_cache(maxsize=4096)
def _agency_id(procedure_id: int, centre_id: int) -> int | None:
    procedure = Procedure.objects.only("agency_kinds").get(pk=procedure_id)
    centre = Centre.objects.select_related("ward").get(pk=centre_id)
    agency = handling_agency(agency_kinds=procedure.agency_kinds, centre=centre)
    return agency.pk if agency else None


def agency_of(dossier: Dossier) -> int | None:
    """The agency a dossier's figures count under (see agencies.selectors.handling_agency)."""
    return _agency_id(dossier.procedure_id, dossier.centre_id)


def _staff_of(dossier: Dossier) -> int | None:
    return None if dossier.channel == Channel.ONLINE else dossier.submitted_by_id


def _rows(*, dossier: Dossier, day: datetime.date, counter_id: int | None = None, **increments: int) -> list:
    """The day's rows an event adds to, for this dossier: its centre, procedure and agency; its
    receiving clerk; and the counter that handed the result back, when there is one."""
    key = {"day": day, "centre_id": dossier.centre_id}
    targets = [
        (DailyFigure, {"procedure_id": dossier.procedure_id, "agency_id": agency_of(dossier)}),
        (StaffDailyFigure, {"staff_id": _staff_of(dossier)}),
    ]
    if counter_id is not None:
        targets.append((CounterDailyFigure, {"counter_id": counter_id}))
    return [(model, {**key, **extra}, increments) for model, extra in targets]


def figure_add(**event) -> None:
    figures_apply(_rows(**event))


_MODEL_ORDER = {DailyFigure: 0, StaffDailyFigure: 1, CounterDailyFigure: 2}


def figures_apply(rows) -> None:
    """Write increments (model, row key, increments), merged per row, in one fixed order (model, then
    key): two transactions adding to the same rows wait for each other and never deadlock."""
    merged: dict[tuple, dict[str, int]] = {}
    for model, key, increments in rows:
        sums = merged.setdefault((model, tuple(sorted(key.items(), key=lambda item: item[0]))), {})
        for name, value in increments.items():
            sums[name] = sums.get(name, 0) + value

    def order(item):
        (model, key), _sums = item
        return _MODEL_ORDER[model], [(name, (value is None, str(value))) for name, value in key]

    # No savepoint: the rows are written together or not at all with the caller's transaction.
    with transaction.atomic(savepoint=False):
        for (model, key), sums in sorted(merged.items(), key=order):
            key = dict(key)
            # Two first writers of a day can both find no row and each create one; readers sum the
            # rows. So an increment goes to one row only (the oldest), never to each of them.
            oldest = model.objects.filter(**key).order_by("pk").values_list("pk", flat=True)[:1]
            updated = model.objects.filter(pk__in=oldest).update(
                **{name: F(name) + value for name, value in sums.items()}
            )
            if not updated:
                model.objects.create(**key, **sums)


def figures_received(*, dossiers: list[Dossier]) -> None:
    """Count a batch of dossiers just entered in the books, merged: one UPDATE per row touched, in
    one fixed order (`figures_apply`), so two batches adding to the same day's rows wait briefly
    and never deadlock (they did when each dossier added its own, in filing order: bench/faults.py)."""
    rows = []
    for dossier in dossiers:
        online = dossier.channel == Channel.ONLINE
        full = dossier.procedure.online_level == Procedure.OnlineLevel.FULL
        rows += _rows(
            dossier=dossier,
            day=_local_day(dossier.received_at),
            received=1,
            received_online=int(online),
            received_full=int(full),
            received_full_online=int(full and online),
            received_digitised=int(online or dossier.attachments.exists()),
        )
    figures_apply(rows)


def figures_settled(*, dossier: Dossier) -> None:
    """Count a dossier just settled (result issued, refused or stopped), on time or not.

    Routing tells of it once (routing.events.dossier_settled), in the transaction that sets
    `settled_at` and `on_time`.
    """
    figure_add(
        dossier=dossier,
        day=_local_day(dossier.settled_at),
        settled=1,
        settled_on_time=int(bool(dossier.on_time)),
    )


def figures_returned(*, hand_back: HandBack) -> None:
    figure_add(
        dossier=hand_back.dossier,
        day=_local_day(hand_back.at),
        counter_id=hand_back.counter_id,
        returned=1,
        returned_digital=int(hand_back.digital),
    )


def figures_rated(
    *, dossier: Dossier, at: datetime.datetime, total: int, counter_id: int | None = None
) -> None:
    figure_add(dossier=dossier, day=_local_day(at), counter_id=counter_id, ratings=1, rating_points=total)


@transaction.atomic
def figures_rebuild(*, since: datetime.date | None = None) -> int:
    """Recompute the daily figures from the dossiers, hand-backs and ratings (all days, or from `since`).

    For repairs and after bulk imports; the figures are otherwise kept as events happen.
    Returns the number of rows written.
    """

    _agency_id.cache_clear()
    for model in (DailyFigure, StaffDailyFigure, CounterDailyFigure):
        figures = model.objects.all()
        if since:
            figures = figures.filter(day__gte=since)
        figures.delete()
    rows: dict[tuple, dict] = {}
    tz = timezone.get_current_timezone()
    staff = _staff_expression()

    def add(queryset, day_field: str, counts: dict) -> None:
        queryset = queryset.annotate(day=TruncDate(day_field, tzinfo=tz), staff=staff)
        if since:
            queryset = queryset.filter(day__gte=since)
        for row in queryset.values("day", "centre_id", "procedure_id", "staff").annotate(**counts):
            key = (row["day"], row["centre_id"], row["procedure_id"], row["staff"])
            target = rows.setdefault(key, dict.fromkeys(COUNTS, 0))
            for name in counts:
                target[name] += row[name] or 0

    full = Q(procedure__online_level=Procedure.OnlineLevel.FULL)
    online = Q(channel=Channel.ONLINE)
    has_files = Exists(Attachment.objects.filter(dossier=OuterRef("pk")))
    add(
        Dossier.objects.annotate(has_files=has_files),
        "received_at",
        {
            "received": Count("pk"),
            "received_online": Count("pk", filter=online),
            "received_full": Count("pk", filter=full),
            "received_full_online": Count("pk", filter=full & online),
            "received_digitised": Count("pk", filter=online | Q(has_files=True)),
        },
    )
    add(
        Dossier.objects.filter(settled_at__isnull=False),
        "settled_at",
        {"settled": Count("pk"), "settled_on_time": Count("pk", filter=Q(on_time=True))},
    )
    add(
        Dossier.objects.filter(hand_back__isnull=False),
        "hand_back__at",
        {"returned": Count("pk"), "returned_digital": Count("pk", filter=Q(hand_back__digital=True))},
    )
    add(
        Dossier.objects.filter(rating__isnull=False),
        "rating__created_at",
        {"ratings": Count("pk"), "rating_points": Sum("rating__total")},
    )
    by_procedure: dict[tuple, dict] = {}
    by_staff: dict[tuple, dict] = {}
    for (day, centre, procedure, staff_id), counts in rows.items():
        for target in (
            by_procedure.setdefault((day, centre, procedure), dict.fromkeys(COUNTS, 0)),
            by_staff.setdefault((day, centre, staff_id), dict.fromkeys(COUNTS, 0)),
        ):
            for name, value in counts.items():
                target[name] += value
    objects = [
        DailyFigure(
            day=day,
            centre_id=centre,
            procedure_id=procedure,
            agency_id=_agency_id(procedure, centre),
            **counts,
        )
        for (day, centre, procedure), counts in by_procedure.items()
    ]
    DailyFigure.objects.bulk_create(objects, batch_size=5000)
    StaffDailyFigure.objects.bulk_create(
        [
            StaffDailyFigure(day=day, centre_id=centre, staff_id=staff_id, **counts)
            for (day, centre, staff_id), counts in by_staff.items()
        ],
        batch_size=5000,
    )
    by_counter = _counter_rows(since, tz)
    CounterDailyFigure.objects.bulk_create(
        [
            CounterDailyFigure(day=day, centre_id=centre, counter_id=counter, **counts)
            for (day, centre, counter), counts in by_counter.items()
        ],
        batch_size=5000,
    )
    return len(objects) + len(by_staff) + len(by_counter)


def _counter_rows(since, tz) -> dict[tuple, dict]:
    from satisfaction.models import Rating

    rows: dict[tuple, dict] = {}
    sources = (
        (
            HandBack.objects.filter(counter__isnull=False),
            "at",
            "dossier__centre_id",
            {"returned": Count("pk"), "returned_digital": Count("pk", filter=Q(digital=True))},
        ),
        (
            Rating.objects.filter(counter__isnull=False),
            "created_at",
            "centre_id",
            {"ratings": Count("pk"), "rating_points": Sum("total")},
        ),
    )
    for queryset, at, centre, counts in sources:
        queryset = queryset.annotate(day=TruncDate(at, tzinfo=tz), place=F(centre))
        if since:
            queryset = queryset.filter(day__gte=since)
        for row in queryset.values("day", "place", "counter_id").annotate(**counts).order_by():
            target = rows.setdefault((row["day"], row["place"], row["counter_id"]), dict.fromkeys(COUNTS, 0))
            for name in counts:
                target[name] += row[name] or 0
    return rows


def _staff_expression():
    from django.db.models import Case, IntegerField, When

    return Case(
        When(channel=Channel.ONLINE, then=None), default=F("submitted_by_id"), output_field=IntegerField()
    )

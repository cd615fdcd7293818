"""Reads behind the supervisor dashboard: figures from the daily table, lists from the dossiers.

Every function takes the centres already narrowed to the reader's scope
(`agencies.selectors.scope_of(user).supervised_centres`), so no page can widen it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency, Centre
from calendars.clock import DeadlineState
from procedures.models import Channel, Dossier, Procedure

from .models import DailyFigure, StaffDailyFigure
from .services import COUNTS, _agency_id

DIMENSIONS = {
    "centre": ("centre_id", _("Trung tâm")),
    "agency": ("agency_id", _("Cơ quan giải quyết")),
    "procedure": ("procedure_id", _("Thủ tục")),
    "staff": ("staff_id", _("Cán bộ tiếp nhận")),
}


@dataclass(frozen=True)
class Period:
    since: datetime.date
    until: datetime.date  # inclusive

    @classmethod
    def default(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(since=today - datetime.timedelta(weeks=12) + datetime.timedelta(days=1), until=today)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware instants: from local midnight of `since` to local midnight after `until`."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.since, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end


@dataclass
class Figure:
    """One row of a figures table: what it counts, and the counts behind each rate."""

    key: object
    label: str
    received: int = 0
    received_online: int = 0
    received_full: int = 0
    received_full_online: int = 0
    received_digitised: int = 0
    settled: int = 0
    settled_on_time: int = 0
    returned: int = 0
    returned_digital: int = 0
    ratings: int = 0
    rating_points: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def late(self) -> int:
        return self.settled - self.settled_on_time

    @property
    def on_time_rate(self) -> float | None:
        """Settled on time ÷ settled, in percent (None when nothing was settled)."""
        return _pct(self.settled_on_time, self.settled)

    @property
    def online_rate(self) -> float | None:
        return _pct(self.received_online, self.received)

    @property
    def full_online_rate(self) -> float | None:
        return _pct(self.received_full_online, self.received_full)

    @property
    def digitised_rate(self) -> float | None:
        return _pct(self.received_digitised, self.received)

    @property
    def digital_result_rate(self) -> float | None:
        return _pct(self.returned_digital, self.returned)

    @property
    def satisfaction(self) -> float | None:
        """Mean rating, out of 18."""
        return round(self.rating_points / self.ratings, 2) if self.ratings else None


def _pct(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _figures(centres, period: Period, filters: dict | None = None, *, model=DailyFigure) -> QuerySet:
    return model.objects.filter(
        centre__in=centres, day__gte=period.since, day__lte=period.until, **(filters or {})
    )


def _sums() -> dict:
    return {name: Sum(name) for name in COUNTS}


def _figure(key, label, row: dict) -> Figure:
    return Figure(key=key, label=label, **{name: row.get(name) or 0 for name in COUNTS})


def totals(centres, period: Period, filters: dict | None = None) -> Figure:
    row = _figures(centres, period, filters).aggregate(**_sums())
    return _figure(None, str(_("Tổng")), row)


def _labels(dimension: str, keys: set) -> dict:
    keys = {k for k in keys if k is not None}
    if dimension == "centre":
        return dict(Centre.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "agency":
        return dict(Agency.objects.filter(pk__in=keys).order_by().values_list("pk", "name"))
    if dimension == "procedure":
        return {p.pk: p.display_name for p in Procedure.objects.filter(pk__in=keys).only("name", "name_en")}
    if dimension == "staff":
        return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=keys)}
    return {}


def figures_by(dimension: str, centres, period: Period, filters: dict | None = None) -> list[Figure]:
    """The period's figures per centre, agency, procedure or receiving clerk, by on-time rate, worst first."""
    column = DIMENSIONS[dimension][0]
    model = StaffDailyFigure if dimension == "staff" else DailyFigure
    rows = list(
        _figures(centres, period, filters, model=model).values(column).annotate(**_sums()).order_by(column)
    )
    labels = _labels(dimension, {row[column] for row in rows})
    none_label = {
        "agency": str(_("Chưa xác định")),
        "staff": str(_("Công dân nộp trực tuyến")),
    }.get(dimension, "—")
    figures = [_figure(row[column], labels.get(row[column], none_label), row) for row in rows]
    return sorted(figures, key=lambda f: (f.on_time_rate is None, f.on_time_rate or 0, f.label))


@dataclass
class Figures:
    """Every table of the dashboard for one scope and period, from one pass over the daily figures."""

    total: Figure
    by: dict[str, list[Figure]]
    weeks: list[Figure]


def figures_all(centres, period: Period) -> Figures:
    """Every table of the page from three small scans of the period's daily rows.

    One query grouped by centre, agency and procedure (a few dozen rows, folded here into the
    total and three tables), one per clerk and one per week: not one query per table.
    """
    place = ["centre", "agency", "procedure"]
    columns = [DIMENSIONS[name][0] for name in place]
    rows = list(_figures(centres, period).values(*columns).annotate(**_sums()).order_by())
    keys: dict[str, set] = {name: set() for name in DIMENSIONS}
    folded: dict[str, dict] = {name: {} for name in DIMENSIONS}
    total = dict.fromkeys(COUNTS, 0)

    def add(target: dict, row: dict) -> None:
        for name in COUNTS:
            target[name] = target.get(name, 0) + (row[name] or 0)

    for row in rows:
        add(total, row)
        for name in place:
            column = DIMENSIONS[name][0]
            keys[name].add(row[column])
            add(folded[name].setdefault(row[column], {}), row)
    for row in (
        _figures(centres, period, model=StaffDailyFigure).values("staff_id").annotate(**_sums()).order_by()
    ):
        keys["staff"].add(row["staff_id"])
        add(folded["staff"].setdefault(row["staff_id"], {}), row)
    by = {}
    for name in DIMENSIONS:
        labels = _labels(name, keys[name])
        none_label = str(_NONE_LABELS.get(name, "—"))
        figures = [_figure(key, labels.get(key, none_label), counts) for key, counts in folded[name].items()]
        by[name] = sorted(figures, key=lambda f: (f.on_time_rate is None, f.on_time_rate or 0, f.label))
    return Figures(total=_figure(None, str(_("Tổng")), total), by=by, weeks=weekly(centres, period))


_NONE_LABELS = {"agency": _("Chưa xác định"), "staff": _("Công dân nộp trực tuyến")}


def weekly(centres, period: Period, filters: dict | None = None) -> list[Figure]:
    """One row per week (Monday) of the period: the trend charts and their data tables."""
    rows = (
        _figures(centres, period, filters)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(**_sums())
        .order_by("week")
    )
    return [_figure(row["week"], _week_label(row["week"]), row) for row in rows]


def _week_label(week) -> str:
    return week.strftime("%d/%m/%Y")


# --- Dossiers behind the figures -------------------------------------------------

DRILL_KINDS = {
    "settled": _("Đã giải quyết"),
    "on_time": _("Giải quyết đúng hạn"),
    "late": _("Giải quyết quá hạn"),
    "received": _("Đã tiếp nhận"),
    "online": _("Nộp trực tuyến"),
    "overdue": _("Đang quá hạn"),
    "due_soon": _("Sắp đến hạn"),
    "open": _("Đang giải quyết"),
    "rated": _("Đã được đánh giá"),
}


def agency_condition(agency: Agency) -> Q:
    """Dossiers counted under an agency: procedures it leads, filed at centres it serves.

    Routing between agencies will give each dossier its steps; until then a dossier belongs to the
    agency of the first kind its procedure lists (see agencies.selectors.handling_agency).
    """
    procedures = [
        p.pk for p in Procedure.objects.all() if p.agency_kinds and p.agency_kinds[0] == agency.kind
    ]
    if agency.ward_id:
        centres = Q(centre__ward_id=agency.ward_id)
    else:
        shadowed = Agency.objects.filter(kind=agency.kind, ward__isnull=False).values("ward_id")
        centres = Q(centre__ward__province_id=agency.province_id) & ~Q(centre__ward_id__in=shadowed)
    return Q(procedure_id__in=procedures) & centres


def dossiers_behind(
    dossiers: QuerySet[Dossier],
    *,
    kind: str,
    period: Period,
    centre: int | None = None,
    procedure: int | None = None,
    agency: Agency | None = None,
    staff: int | None = None,
    online_staff: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers a figure counts, from a set already narrowed to the reader's scope."""
    start, end = period.bounds()
    if centre:
        dossiers = dossiers.filter(centre_id=centre)
    if procedure:
        dossiers = dossiers.filter(procedure_id=procedure)
    if agency is not None:
        dossiers = dossiers.filter(agency_condition(agency))
    if staff:
        dossiers = dossiers.filter(submitted_by_id=staff).exclude(channel=Channel.ONLINE)
    elif online_staff:
        dossiers = dossiers.filter(channel=Channel.ONLINE)
    # Newest first, by one column only, so an index gives the order (no sort of a whole period).
    settled = dossiers.filter(settled_at__gte=start, settled_at__lt=end).order_by("-settled_at")
    received = dossiers.filter(received_at__gte=start, received_at__lt=end).order_by("-received_at")
    if kind == "settled":
        return settled
    if kind == "on_time":
        return settled.filter(on_time=True)
    if kind == "late":
        return settled.filter(on_time=False)
    if kind == "received":
        return received
    if kind == "online":
        return received.filter(channel=Channel.ONLINE)
    if kind == "rated":
        return dossiers.filter(rating__created_at__gte=start, rating__created_at__lt=end).order_by(
            "-rating__created_at"
        )
    open_ = open_dossiers(dossiers)
    if kind == "overdue":
        return open_.filter(deadline_state=DeadlineState.OVERDUE)
    if kind == "due_soon":
        return open_.filter(deadline_state=DeadlineState.DUE_SOON)
    return open_


def open_dossiers(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Dossiers not yet settled (no result, refusal or stop yet), the nearest deadline first."""
    return dossiers.filter(settled_at__isnull=True).order_by(F("due_at").asc(nulls_last=True), "pk")


def open_by(dossiers: QuerySet[Dossier], column: str) -> dict:
    """Open dossiers counted per column (e.g. "centre_id"), with how many are overdue and due soon."""
    from django.db.models import Count

    rows = (
        dossiers.filter(settled_at__isnull=True)
        .values(column)
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(deadline_state=DeadlineState.OVERDUE)),
            due_soon=Count("pk", filter=Q(deadline_state=DeadlineState.DUE_SOON)),
        )
        .order_by()
    )
    return {row[column]: row for row in rows}


def open_by_agency(dossiers: QuerySet[Dossier]) -> list[dict]:
    """Open dossiers per handling agency, with how many are overdue and due soon (the agencies' workload)."""
    from django.db.models import Count

    grouped = (
        dossiers.filter(settled_at__isnull=True)
        .values("procedure_id", "centre_id")
        .annotate(
            open=Count("*"),
            overdue=Count("deadline_state", filter=Q(deadline_state=DeadlineState.OVERDUE)),
            due_soon=Count("deadline_state", filter=Q(deadline_state=DeadlineState.DUE_SOON)),
        )
        .order_by()
    )
    totals_: dict = {}
    for row in grouped:
        agency = _agency_id(row["procedure_id"], row["centre_id"])
        target = totals_.setdefault(agency, {"agency": agency, "open": 0, "overdue": 0, "due_soon": 0})
        for name in ("open", "overdue", "due_soon"):
            target[name] += row[name]
    labels = _labels("agency", set(totals_))
    result = [
        {**row, "label": labels.get(row["agency"], str(_("Chưa xác định")))} for row in totals_.values()
    ]
    return sorted(result, key=lambda r: (-r["overdue"], -r["open"]))


def by_counter(centres, period: Period) -> list[dict]:
    """Results handed back, ratings and mean score out of 18 per counter, from the counters' daily rows."""
    from queueing.models import Counter

    from .models import CounterDailyFigure

    rows = list(
        _figures(centres, period, model=CounterDailyFigure)
        .values("counter_id")
        .annotate(
            **{name: Sum(name) for name in ("returned", "returned_digital", "ratings", "rating_points")}
        )
        .order_by()
    )
    counters = {
        c.pk: c
        for c in Counter.objects.filter(pk__in=[r["counter_id"] for r in rows]).select_related("centre")
    }
    result = []
    for row in rows:
        counter = counters.get(row["counter_id"])
        if counter is None:
            continue
        result.append(
            {
                "centre": counter.centre.name,
                "counter": counter.number,
                "returned": row["returned"],
                "ratings": row["ratings"],
                "mean": round(row["rating_points"] / row["ratings"], 2) if row["ratings"] else None,
            }
        )
    return sorted(result, key=lambda r: (r["centre"], r["counter"]))


def where_now(dossiers: list[Dossier]) -> list[Dossier]:
    """Each dossier with `where`: its open steps (unit, officer, since when), as routing's
    `current_steps` gives them, read for the whole list in one query."""
    from routing.models import OPEN_STATES, DossierStep
    from routing.selectors import CurrentStep

    steps: dict[int, list] = {d.pk: [] for d in dossiers}
    for s in (
        DossierStep.objects.filter(dossier__in=list(steps), state__in=OPEN_STATES)
        .select_related("agency", "officer")
        .order_by("stage", "pk")
    ):
        steps[s.dossier_id].append(
            CurrentStep(
                step=s, unit=s.agency, officer=s.officer, since=s.started_at, due_at=s.due_at, state=s.state
            )
        )
    for dossier in dossiers:
        dossier.where = steps[dossier.pk]
    return dossiers


def open_steps_by_officer(centres) -> list[dict]:
    """Open steps per agency and officer (unassigned ones wait in the agency's inbox)."""
    from django.db.models import Count, Min

    from routing.models import OPEN_STATES, DossierStep

    rows = (
        DossierStep.objects.filter(state__in=OPEN_STATES, dossier__centre__in=centres)
        .values("agency_id", "agency__name", "officer_id")
        .annotate(open=Count("pk"), oldest=Min("started_at"))
        .order_by("agency__name", "officer_id")
    )
    rows = list(rows)
    names = _labels("staff", {row["officer_id"] for row in rows})
    for row in rows:
        row["officer"] = names.get(row["officer_id"], str(_("Chưa nhận (trong hộp hồ sơ)")))
    return rows

"""The supervisor dashboard (/giam-sat/…): figures, trends, lists, drill-down, the service index, exports.

Thin views: the reader's scope comes from agencies.selectors.scope_of, figures from
dashboard.selectors, dossiers from procedures.selectors.dossiers_supervised_by.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Centre
from agencies.selectors import scope_of
from calendars.clock import DeadlineState
from procedures.selectors import dossiers_supervised_by
from queueing.selectors import queue_statistics, queue_statistics_by_counter

from . import charts, exports, selectors
from .selectors import DIMENSIONS, DRILL_KINDS, Period
from .service_index import index_total, service_index

LIST_PREVIEW = 10
DIMENSION_PARAMS = {"centre": "trung_tam", "agency": "co_quan", "procedure": "thu_tuc", "staff": "can_bo"}


def _centres_in_scope(request) -> list[int]:
    centres = scope_of(request.user).supervised_centres
    if not centres:
        raise PermissionDenied
    return sorted(centres)


def _period(request) -> Period:
    default = Period.default()
    try:
        since = datetime.date.fromisoformat(request.GET["tu"]) if request.GET.get("tu") else default.since
        until = datetime.date.fromisoformat(request.GET["den"]) if request.GET.get("den") else default.until
    except ValueError:
        messages.error(
            request, _("Ngày không hợp lệ (định dạng năm-tháng-ngày); đang hiển thị 12 tuần gần nhất.")
        )
        return default
    if since > until:
        messages.error(request, _("Ngày bắt đầu sau ngày kết thúc; đang hiển thị 12 tuần gần nhất."))
        return default
    return Period(since=since, until=until)


def _int(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _selected_centres(request, centres: list[int]) -> tuple[list[int], int | None]:
    chosen = _int(request, "trung_tam")
    if chosen is None:
        return centres, None
    if chosen not in centres:
        raise Http404
    return [chosen], chosen


def _base_query(period: Period, centre: int | None) -> dict:
    query = {"tu": period.since.isoformat(), "den": period.until.isoformat()}
    if centre:
        query["trung_tam"] = centre
    return query


@login_required
def overview(request):
    centres = _centres_in_scope(request)
    period = _period(request)
    selected, centre = _selected_centres(request, centres)
    figures = selectors.figures_all(selected, period)
    total, tables, weeks = figures.total, figures.by, figures.weeks
    drill = f"{reverse('dashboard:dossiers')}?{urlencode(_base_query(period, centre))}"
    for week in weeks:
        week_period = {"tu": week.key.isoformat(), "den": (week.key + datetime.timedelta(days=6)).isoformat()}
        if centre:
            week_period["trung_tam"] = centre
        week.extra["href"] = f"{reverse('dashboard:dossiers')}?{urlencode(week_period)}"
    for name, rows in tables.items():
        for figure in rows:
            # Built once here rather than tag by tag in the template: the page's tables are long.
            figure.extra["href"] = (
                f"{drill}&{DIMENSION_PARAMS[name]}={0 if figure.key is None else figure.key}"
            )
    labels = [w.label for w in weeks]
    on_time_chart = charts.line_chart(
        title=_("Tỷ lệ giải quyết đúng hạn theo tuần (%)"),
        labels=labels,
        series={_("Đúng hạn (%)"): [w.on_time_rate for w in weeks]},
        range_=(0, 100),
    )
    volume_chart = charts.bar_chart(
        title=_("Hồ sơ tiếp nhận và giải quyết theo tuần"),
        labels=labels,
        series={_("Tiếp nhận"): [w.received for w in weeks], _("Đã giải quyết"): [w.settled for w in weeks]},
    )
    dossiers = dossiers_supervised_by(request.user).filter(centre__in=selected)
    overdue = selectors.open_dossiers(dossiers).filter(deadline_state=DeadlineState.OVERDUE)
    due_soon = selectors.open_dossiers(dossiers).filter(deadline_state=DeadlineState.DUE_SOON)
    workload = selectors.open_by_agency(dossiers)
    today = timezone.localdate()
    base = _base_query(period, centre)
    context = {
        "period": period,
        "centres": Centre.objects.filter(pk__in=centres).order_by("name"),
        "centre": centre,
        "total": total,
        "tables": [(name, DIMENSIONS[name][1], tables[name]) for name in DIMENSIONS],
        "weeks": weeks,
        "on_time_chart": on_time_chart,
        "volume_chart": volume_chart,
        "overdue": selectors.where_now(list(overdue.select_related("procedure", "centre")[:LIST_PREVIEW])),
        "overdue_count": sum(row["overdue"] for row in workload),
        "due_soon": selectors.where_now(list(due_soon.select_related("procedure", "centre")[:LIST_PREVIEW])),
        "due_soon_count": sum(row["due_soon"] for row in workload),
        "workload": workload,
        "officers": selectors.open_steps_by_officer(selected),
        "queue_rows": queue_statistics(selected, day=today),
        "queue_counters": queue_statistics_by_counter(selected, day=today),
        "counters": selectors.by_counter(selected, period),
        "today": today,
        "drill": reverse("dashboard:dossiers"),
        "base_query": urlencode(base),
        "dimension_params": DIMENSION_PARAMS,
    }
    return render(request, "dashboard/overview.html", context)


@login_required
def dossier_list(request):
    """The dossiers behind any figure of the dashboard."""
    centres = _centres_in_scope(request)
    period = _period(request)
    selected, centre = _selected_centres(request, centres)
    kind = request.GET.get("loai", "settled")
    if kind not in DRILL_KINDS:
        kind = "settled"
    agency = None
    if _int(request, "co_quan"):
        agency = Agency.objects.filter(pk=_int(request, "co_quan")).first()
        if agency is None:
            raise Http404
    staff_param = request.GET.get("can_bo", "")
    dossiers = selectors.dossiers_behind(
        dossiers_supervised_by(request.user).filter(centre__in=selected),
        kind=kind,
        period=period,
        procedure=_int(request, "thu_tuc"),
        agency=agency,
        staff=_int(request, "can_bo"),
        online_staff=staff_param == "0",
    )
    page = Paginator(dossiers.select_related("procedure", "centre"), 50).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "dashboard/dossier_list.html",
        {
            "page": page,
            "kind": kind,
            "kind_label": DRILL_KINDS[kind],
            "period": period,
            "agency": agency,
            "query": query.urlencode(),
            "back": urlencode(_base_query(period, centre)),
        },
    )


@login_required
def index(request):
    """The national service index components for the province (all centres in scope) and each centre."""
    centres = _centres_in_scope(request)
    period = _period(request)
    rows = []
    figures = selectors.figures_all(centres, period)
    components = service_index(figures.total)
    rows.append(
        {"label": _("Toàn phạm vi giám sát"), "components": components, "total": index_total(components)}
    )
    for figure in figures.by["centre"]:
        components = service_index(figure)
        rows.append({"label": figure.label, "components": components, "total": index_total(components)})
    return render(
        request,
        "dashboard/index.html",
        {"rows": rows, "period": period, "base_query": urlencode(_base_query(period, None))},
    )


@login_required
def export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    centres = _centres_in_scope(request)
    period = _period(request)
    selected, _centre = _selected_centres(request, centres)
    figures = selectors.figures_all(selected, period)
    tables = {str(DIMENSIONS[name][1]): figures.by[name] for name in DIMENSIONS}
    tables[_("Theo tuần")] = figures.weeks
    stem = f"motcua-{period.since:%Y%m%d}-{period.until:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(exports.figures_csv(tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.figures_xlsx(tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response

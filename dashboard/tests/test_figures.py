"""The daily figures: kept as events happen, equal to a rebuild, and read back as rates."""

import datetime

import pytest
from django.utils import timezone

from dashboard import selectors
from dashboard.generator import dossiers_generate
from dashboard.models import DailyFigure
from dashboard.selectors import Period
from dashboard.service_index import index_total, service_index
from dashboard.services import COUNTS, figures_rebuild, figures_settled
from procedures.models import Dossier
from procedures.services import dossier_hand_back


def _snapshot() -> dict:
    rows = {}
    for figure in DailyFigure.objects.all():
        key = (figure.day, figure.centre_id, figure.procedure_id, figure.agency_id)
        target = rows.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            target[name] += getattr(figure, name)
    return {key: counts for key, counts in rows.items() if any(counts.values())}


def test_events_keep_the_figures_equal_to_a_rebuild(people, centres, make_dossier):
    centre = centres["000.00.01.H26"]
    now = timezone.now()
    dossier = make_dossier(centre=centre, status=Dossier.Status.DONE, settled_at=now, on_time=False)
    figures_settled(dossier=dossier)
    dossier_hand_back(dossier=dossier, by=people["clerk"], method="paper")
    late = make_dossier(centre=centre, status=Dossier.Status.DONE, settled_at=now, on_time=True)
    figures_settled(dossier=late)
    kept = _snapshot()
    figures_rebuild()
    # The rebuild also counts receipts; compare the counts the events above kept.
    rebuilt = _snapshot()
    for key, counts in kept.items():
        for name in ("settled", "settled_on_time", "returned"):
            assert rebuilt[key][name] == counts[name], (key, name)
    total = selectors.totals([centre.pk], Period.default())
    assert (total.settled, total.settled_on_time, total.returned) == (2, 1, 1)
    assert total.on_time_rate == 50.0


def test_generated_history_is_consistent_with_its_figures(demo):
    dossiers_generate(count=400, days=60, seed=3)
    period = Period(since=timezone.localdate() - datetime.timedelta(days=400), until=timezone.localdate())
    centres = list(demo_centres())
    total = selectors.totals(centres, period)
    assert total.received == Dossier.objects.count() == 400
    assert total.settled == Dossier.objects.filter(settled_at__isnull=False).count()
    assert total.settled_on_time == Dossier.objects.filter(on_time=True).count()
    assert 0 < total.settled_on_time < total.settled
    by_centre = selectors.figures_by("centre", centres, period)
    assert sum(f.settled for f in by_centre) == total.settled
    # Every dossier has its timeline, and open ones a deadline state.
    assert not Dossier.objects.filter(events__isnull=True).exists()
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def demo_centres():
    from agencies.models import Centre

    return Centre.objects.values_list("pk", flat=True)


def test_drill_down_returns_exactly_the_dossiers_a_figure_counts(demo):
    dossiers_generate(count=300, days=30, seed=5)
    centres = list(demo_centres())
    period = Period(since=timezone.localdate() - datetime.timedelta(days=60), until=timezone.localdate())
    total = selectors.totals(centres, period)
    everything = Dossier.objects.all()
    assert selectors.dossiers_behind(everything, kind="late", period=period).count() == total.late
    assert (
        selectors.dossiers_behind(everything, kind="on_time", period=period).count() == total.settled_on_time
    )
    for figure in selectors.figures_by("procedure", centres, period):
        behind = selectors.dossiers_behind(everything, kind="settled", period=period, procedure=figure.key)
        assert behind.count() == figure.settled


def test_agency_figures_match_the_agency_drill_down(demo):
    from agencies.models import Agency

    dossiers_generate(count=300, days=30, seed=9)
    centres = list(demo_centres())
    period = Period(since=timezone.localdate() - datetime.timedelta(days=60), until=timezone.localdate())
    for figure in selectors.figures_by("agency", centres, period):
        if figure.key is None:
            continue
        agency = Agency.objects.get(pk=figure.key)
        behind = selectors.dossiers_behind(
            Dossier.objects.all(), kind="received", period=period, agency=agency
        )
        assert behind.count() == figure.received, agency.name


# --- The service index: each component's numerator and denominator ---------------------


def _figure(**counts):
    return selectors.Figure(key=None, label="x", **counts)


def test_progress_component_is_on_time_over_settled():
    components = {c.key: c for c in service_index(_figure(settled=200, settled_on_time=180))}
    part = components["progress"].parts[0]
    assert (part.numerator, part.denominator) == (180, 200)
    assert components["progress"].points == pytest.approx(18.0)


def test_online_component_halves_online_share_and_full_process_share():
    figure = _figure(received=100, received_online=60, received_full=40, received_full_online=30)
    online = {c.key: c for c in service_index(figure)}["online"]
    assert [(p.numerator, p.denominator) for p in online.parts] == [(60, 100), (30, 40)]
    assert online.points == pytest.approx(6 * 0.6 + 6 * 0.75)


def test_satisfaction_component_scales_the_mean_rating_to_18():
    satisfaction = {c.key: c for c in service_index(_figure(ratings=4, rating_points=66))}["satisfaction"]
    part = satisfaction.parts[0]
    assert (part.numerator, part.denominator) == (66, 4 * 18)
    assert satisfaction.points == pytest.approx(16.5)


def test_digitisation_component_counts_dossiers_and_results():
    figure = _figure(received=50, received_digitised=40, returned=20, returned_digital=5)
    digitisation = {c.key: c for c in service_index(figure)}["digitisation"]
    assert [(p.numerator, p.denominator) for p in digitisation.parts] == [(40, 50), (5, 20)]
    assert digitisation.points == pytest.approx(11 * 0.8 + 11 * 0.25)


def test_components_without_data_stay_out_of_the_total():
    components = service_index(_figure(settled=10, settled_on_time=10))
    by_key = {c.key: c for c in components}
    assert by_key["payment"].points is None
    assert by_key["publicity"].points is None
    assert by_key["satisfaction"].points is None  # no rating yet: no guess
    assert index_total(components) == (20.0, 20)


def test_excel_and_csv_exports_carry_the_pages_figures(client, people):
    import csv
    import io

    from openpyxl import load_workbook

    dossiers_generate(count=120, days=30, seed=11)
    client.force_login(people["province_lead"])
    workbook = load_workbook(io.BytesIO(client.get("/giam-sat/xuat.xlsx").content))
    assert {"Trung tâm", "Thủ tục", "Theo tuần"} <= set(workbook.sheetnames)
    rows = list(workbook["Trung tâm"].iter_rows(min_row=2, values_only=True))
    settled = Dossier.objects.filter(settled_at__gte=Period.default().bounds()[0]).count()
    assert sum(row[3] for row in rows) == settled
    text = client.get("/giam-sat/xuat.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Trung tâm"]
    assert lines[1][0] == "Nhóm"

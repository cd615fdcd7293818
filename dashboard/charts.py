"""Server-rendered SVG charts (pygal); each page puts the same figures in a table beside the chart."""

from __future__ import annotations

import hashlib
import logging

import pygal
from django.core.cache import cache
from pygal.style import Style

logger = logging.getLogger(__name__)

CHART_CACHE_SECONDS = 3600
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b6e4f", "#c2410c", "#1d4ed8", "#7c3aed"),
    font_family="Liberation Sans, DejaVu Sans, sans-serif",
    label_font_size=20,
    major_label_font_size=20,
    legend_font_size=20,
    title_font_size=22,
)


def _render(chart) -> str:
    # No script: the figures are in the table beside the chart, and pygal's tooltips load a remote file.
    return chart.render(is_unicode=True, disable_xml_declaration=True)


def _cached(kind: str, build, **spec) -> str:
    """The same figures draw the same SVG: keep it in the cache, keyed by what is drawn.

    The cache only saves time: when it cannot be reached (Redis down), the chart is drawn again and
    not stored, so the page costs one failed read per chart, never an error."""
    key = "dashboard-chart:" + hashlib.sha256(repr((kind, sorted(spec.items()))).encode()).hexdigest()
    try:
        svg = cache.get(key)
    except Exception as error:  # noqa: BLE001 - each cache backend fails in its own way
        logger.info("chart drawn without the cache (%s: %s)", type(error).__name__, error)
        return build(**spec)
    if svg is None:
        svg = build(**spec)
        try:
            cache.set(key, svg, CHART_CACHE_SECONDS)
        except Exception as error:  # noqa: BLE001
            logger.info("chart not cached (%s: %s)", type(error).__name__, error)
    return svg


def _line_chart(
    *, title: str, labels: list[str], series: dict[str, list], y_title: str = "", range_=None
) -> str:
    chart = pygal.Line(
        style=STYLE,
        js=[],
        width=640,
        height=380,
        title=title,
        y_title=y_title,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // 6),
        legend_at_bottom=True,
        range=range_,
        dots_size=3,
        explicit_size=False,
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)


def _bar_chart(*, title: str, labels: list[str], series: dict[str, list], y_title: str = "") -> str:
    chart = pygal.Bar(
        style=STYLE,
        js=[],
        width=640,
        height=380,
        title=title,
        y_title=y_title,
        legend_at_bottom=True,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // 6),
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)


def line_chart(
    *, title: str, labels: list[str], series: dict[str, list], y_title: str = "", range_=None
) -> str:
    return _cached(
        "line", _line_chart, title=str(title), labels=tuple(labels),
        series=tuple((str(k), tuple(v)) for k, v in series.items()), y_title=str(y_title), range_=range_,
    )  # fmt: skip


def bar_chart(*, title: str, labels: list[str], series: dict[str, list], y_title: str = "") -> str:
    return _cached(
        "bar", _bar_chart, title=str(title), labels=tuple(labels),
        series=tuple((str(k), tuple(v)) for k, v in series.items()), y_title=str(y_title),
    )  # fmt: skip

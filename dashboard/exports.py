"""CSV and Excel (openpyxl) exports of the dashboard's figures tables."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook


def figure_header() -> list[str]:
    return [
        _("Nhóm"),
        _("Tiếp nhận"),
        _("Nộp trực tuyến"),
        _("Đã giải quyết"),
        _("Đúng hạn"),
        _("Quá hạn"),
        _("Tỷ lệ đúng hạn (%)"),
        _("Lượt đánh giá"),
        _("Điểm hài lòng (/18)"),
    ]


def figure_row(figure) -> list:
    return [
        figure.label,
        figure.received,
        figure.received_online,
        figure.settled,
        figure.settled_on_time,
        figure.late,
        figure.on_time_rate,
        figure.ratings,
        figure.satisfaction,
    ]


def figures_csv(tables: dict[str, list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for title, figures in tables.items():
        writer.writerow([title])
        writer.writerow(figure_header())
        for figure in figures:
            writer.writerow(["" if v is None else v for v in figure_row(figure)])
        writer.writerow([])
    return "\ufeff" + out.getvalue()  # the BOM lets Excel read the diacritics


def figures_xlsx(tables: dict[str, list]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, figures in tables.items():
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(figure_header())
        for figure in figures:
            sheet.append(figure_row(figure))
        sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

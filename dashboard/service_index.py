"""The components of the national service index (Decision 766/QĐ-TTg, 100 points) the system has data for.

Each component is its numerator, its denominator and the points it is worth; the page prints the
formula beside the figure. The formulas are ours, stated on the page and in docs/dashboard.md:
a component with no data shows "no data" rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from satisfaction.criteria import max_points

from .selectors import Figure


@dataclass(frozen=True)
class Part:
    """One ratio of a component: numerator ÷ denominator, worth `weight` points at 100 %."""

    label: str
    numerator: int | float
    denominator: int
    weight: float

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def points(self) -> float | None:
        return None if self.ratio is None else self.ratio * self.weight


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    max_points: int
    formula: str
    parts: tuple[Part, ...]

    @property
    def has_data(self) -> bool:
        return bool(self.parts) and all(part.denominator for part in self.parts)

    @property
    def points(self) -> float | None:
        if not self.has_data:
            return None
        return round(sum(part.points for part in self.parts), 2)


def service_index(figure: Figure) -> list[Component]:
    """The index components for a set of daily figures (a centre's or a province's)."""
    survey_max = max_points()
    return [
        Component(
            key="publicity",
            label=str(_("Công khai, minh bạch")),
            max_points=18,
            formula=str(_("Chưa có dữ liệu trong hệ thống (được chấm qua kiểm tra công khai thủ tục).")),
            parts=(),
        ),
        Component(
            key="progress",
            label=str(_("Tiến độ giải quyết")),
            max_points=20,
            formula=str(_("20 × số hồ sơ giải quyết đúng hạn ÷ số hồ sơ đã giải quyết trong kỳ")),
            parts=(Part(str(_("Đúng hạn ÷ đã giải quyết")), figure.settled_on_time, figure.settled, 20),),
        ),
        Component(
            key="online",
            label=str(_("Dịch vụ công trực tuyến")),
            max_points=12,
            formula=str(
                _(
                    "6 × hồ sơ nộp trực tuyến ÷ hồ sơ tiếp nhận + 6 × hồ sơ nộp trực tuyến của thủ tục "
                    "toàn trình ÷ hồ sơ tiếp nhận của thủ tục toàn trình"
                )
            ),
            parts=(
                Part(str(_("Trực tuyến ÷ tiếp nhận")), figure.received_online, figure.received, 6),
                Part(
                    str(_("Toàn trình: trực tuyến ÷ tiếp nhận")),
                    figure.received_full_online,
                    figure.received_full,
                    6,
                ),
            ),
        ),
        Component(
            key="payment",
            label=str(_("Thanh toán trực tuyến")),
            max_points=10,
            formula=str(_("Chưa có dữ liệu: hệ thống chưa nhận thanh toán trực tuyến.")),
            parts=(),
        ),
        Component(
            key="satisfaction",
            label=str(_("Mức độ hài lòng")),
            max_points=18,
            formula=str(
                _("18 × tổng điểm đánh giá ÷ (số lượt đánh giá × %(max)s điểm); mỗi lượt tối đa %(max)s điểm")
                % {"max": survey_max}
            ),
            parts=(
                Part(
                    str(_("Điểm ÷ điểm tối đa")),
                    figure.rating_points,
                    figure.ratings * survey_max,
                    18,
                ),
            ),
        ),
        Component(
            key="digitisation",
            label=str(_("Số hóa hồ sơ, kết quả")),
            max_points=22,
            formula=str(
                _(
                    "11 × hồ sơ được số hóa (nộp trực tuyến hoặc có tệp đính kèm) ÷ hồ sơ tiếp nhận "
                    "+ 11 × kết quả trả bản điện tử ÷ kết quả đã trả"
                )
            ),
            parts=(
                Part(str(_("Hồ sơ số hóa ÷ tiếp nhận")), figure.received_digitised, figure.received, 11),
                Part(str(_("Kết quả điện tử ÷ đã trả")), figure.returned_digital, figure.returned, 11),
            ),
        ),
    ]


def index_total(components: list[Component]) -> tuple[float, int]:
    """Points scored and the points available, over the components that have data."""
    scored = [c for c in components if c.has_data]
    return round(sum(c.points for c in scored), 2), sum(c.max_points for c in scored)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Bảng theo dõi, đánh giá")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the figures to the other apps' events

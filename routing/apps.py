from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Luân chuyển hồ sơ giữa các cơ quan")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - starts and closes routes on procedures' events

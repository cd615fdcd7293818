from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestLimitsConfig(AppConfig):
    name = "requestlimits"
    verbose_name = _("Giới hạn yêu cầu")

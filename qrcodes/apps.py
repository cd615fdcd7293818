from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrCodesConfig(AppConfig):
    name = "qrcodes"
    verbose_name = _("Mã QR")
